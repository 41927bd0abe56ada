package dev.ingest.api.server.auth;

import dev.ingest.api.common.Sha256;
import dev.ingest.api.common.TableName;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.regex.Pattern;
import javax.sql.DataSource;

/** API keys in {@code ingest.api_keys}: created with a random token shown once, listed, revoked. */
public final class ApiKeys {
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}");
    static final String TOKEN_PREFIX = "ingest_";

    private final DataSource db;

    public ApiKeys(DataSource db) {
        this.db = db;
    }

    /** A key as listed (never with its token): its grants, or {@code *} for every table. */
    public record Key(String name, List<String> tables, Instant createdAt, Instant revokedAt) {
        public boolean active() {
            return revokedAt == null;
        }
    }

    /** A new key and its token, which is not stored and cannot be shown again. */
    public record Created(Key key, String token) {
    }

    /**
     * Names a grant's tables: {@code *} for every table, else each name as {@link TableName}
     * parses it, a bare name resolved in {@code schemas} in order (as requests resolve it).
     *
     * @param allowMissing whether a name of no existing table is granted anyway (in the first schema)
     * @throws IllegalArgumentException for a malformed name, or one of no table unless allowed
     */
    public List<TableName> resolve(List<String> names, List<String> schemas, boolean allowMissing) throws SQLException {
        List<TableName> resolved = new ArrayList<>();
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement("SELECT 1 FROM pg_class t "
                + "JOIN pg_namespace n ON n.oid = t.relnamespace WHERE n.nspname = ? AND t.relname = ? AND t.relkind IN ('r', 'p')")) {
            for (String name : names) {
                TableName given = TableName.parse(name.trim(), schemas.get(0));
                TableName found = null;
                for (String schema : TableName.qualified(name.trim()) ? List.of(given.schema()) : schemas) {
                    TableName candidate = new TableName(schema, given.table());
                    ps.setString(1, candidate.schema());
                    ps.setString(2, candidate.table());
                    try (ResultSet rs = ps.executeQuery()) {
                        if (rs.next()) {
                            found = candidate;
                            break;
                        }
                    }
                }
                if (found == null && !allowMissing) {
                    throw new IllegalArgumentException("no table " + given + " (granting \"" + name + "\"); check the name, "
                            + "or give --allow-missing to grant a table that does not exist yet");
                }
                resolved.add(found == null ? given : found);
            }
        }
        return resolved;
    }

    /**
     * Creates a key granted every table ({@code allTables}) or exactly {@code tables}.
     *
     * @throws IllegalArgumentException for an invalid name, no grant, or a name taken already
     */
    public Created create(String name, boolean allTables, List<TableName> tables) throws SQLException {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a key name is 1 to 100 letters, digits, '_', '.', '@' or '-'");
        }
        if (!allTables && tables.isEmpty()) {
            throw new IllegalArgumentException("grant at least one table (--tables t1,t2, or * for every table)");
        }
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String token = TOKEN_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement key = c.prepareStatement(
                    "INSERT INTO ingest.api_keys (name, token_hash, all_tables) VALUES (?, ?, ?) RETURNING id, created_at");
                 PreparedStatement grant = c.prepareStatement(
                    "INSERT INTO ingest.api_key_grants (key_id, schema_name, table_name) VALUES (?, ?, ?) ON CONFLICT DO NOTHING")) {
                key.setString(1, name);
                key.setString(2, hash(token));
                key.setBoolean(3, allTables);
                long id;
                Instant created;
                try (ResultSet rs = key.executeQuery()) {
                    rs.next();
                    id = rs.getLong(1);
                    created = rs.getTimestamp(2).toInstant();
                }
                for (TableName t : allTables ? List.<TableName>of() : tables) {
                    grant.setLong(1, id);
                    grant.setString(2, t.schema());
                    grant.setString(3, t.table());
                    grant.addBatch();
                }
                grant.executeBatch();
                c.commit();
                List<String> shown = allTables ? List.of("*") : tables.stream().map(TableName::toString).distinct().toList();
                return new Created(new Key(name, shown, created, null), token);
            } catch (SQLException e) {
                c.rollback();
                if ("23505".equals(e.getSQLState())) {
                    throw new IllegalArgumentException("a key named \"" + name + "\" exists already");
                }
                throw e;
            }
        }
    }

    public List<Key> list() throws SQLException {
        List<Key> keys = new ArrayList<>();
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT k.name, k.all_tables, k.created_at, k.revoked_at, g.schema_name, g.table_name FROM ingest.api_keys k "
                        + "LEFT JOIN ingest.api_key_grants g ON g.key_id = k.id ORDER BY k.name, g.schema_name, g.table_name");
             ResultSet rs = ps.executeQuery()) {
            String current = null;
            List<String> tables = null;
            while (rs.next()) {
                if (!rs.getString(1).equals(current)) {
                    current = rs.getString(1);
                    tables = new ArrayList<>();
                    if (rs.getBoolean(2)) {
                        tables.add("*");
                    }
                    keys.add(new Key(current, tables, rs.getTimestamp(3).toInstant(),
                            rs.getTimestamp(4) == null ? null : rs.getTimestamp(4).toInstant()));
                }
                if (rs.getString(5) != null) {
                    tables.add(new TableName(rs.getString(5), rs.getString(6)).toString());
                }
            }
        }
        return keys;
    }

    /** Revokes the key; false when there is no active key of that name. */
    public boolean revoke(String name) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "UPDATE ingest.api_keys SET revoked_at = now() WHERE name = ? AND revoked_at IS NULL")) {
            ps.setString(1, name);
            return ps.executeUpdate() == 1;
        }
    }

    /** The stored form of a token. */
    static String hash(String token) {
        return Sha256.hex(token);
    }
}
