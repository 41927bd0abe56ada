package dev.ingest.engine;

import java.util.Locale;

/** What to do with a record that collides with an existing row on a unique key. */
public enum OnConflict {
    /** Refuse the record (SQLSTATE 23505), as a plain INSERT does. */
    ERROR,
    /** Keep the existing row; the record counts as ignored. */
    IGNORE,
    /** Update the existing row with the record's columns (an upsert on the table's key). */
    UPDATE;

    public static OnConflict parse(String text) {
        try {
            return valueOf(text.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("on_conflict must be error, ignore or update, not \"" + text + "\"");
        }
    }
}
