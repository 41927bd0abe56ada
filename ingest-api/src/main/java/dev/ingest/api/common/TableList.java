package dev.ingest.api.common;

import java.util.ArrayList;
import java.util.List;

/**
 * A comma-separated list of table names as a flag or an environment variable gives it ({@code events,"a,b".c}):
 * split at commas outside double quotes. The names themselves are judged later (by
 * {@code TableName}), so an unbalanced quote is left in its name for that one-line error.
 */
public final class TableList {
    private TableList() {
    }

    /** Every name of every value, in order; empty names are dropped. */
    public static List<String> split(List<String> values) {
        List<String> names = new ArrayList<>();
        for (String value : values) {
            StringBuilder name = new StringBuilder();
            boolean quoted = false;
            for (int i = 0; i < value.length(); i++) {
                char c = value.charAt(i);
                if (c == '"') {
                    quoted = !quoted; // a doubled quote inside quotes toggles twice
                } else if (c == ',' && !quoted) {
                    add(names, name);
                    continue;
                }
                name.append(c);
            }
            add(names, name);
        }
        return names;
    }

    private static void add(List<String> names, StringBuilder name) {
        if (!name.toString().isBlank()) {
            names.add(name.toString().trim());
        }
        name.setLength(0);
    }
}
