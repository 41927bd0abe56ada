package dev.ingest.engine.internal.write;

/** What one statement did: rows inserted, and rows updated by an upsert. */
record Written(long inserted, long updated) {
    static final Written NONE = new Written(0, 0);

    Written plus(Written o) {
        return new Written(inserted + o.inserted, updated + o.updated);
    }
}
