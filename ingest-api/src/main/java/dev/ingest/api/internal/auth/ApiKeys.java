package dev.ingest.api.internal.auth;

import dev.ingest.api.internal.Sha256;
import java.security.SecureRandom;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
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

    /** A key as listed (never with its token). */
    public record Key(String name, List<String> tables, Instant createdAt, Instant revokedAt) {
        public boolean active() {
            return revokedAt == null;
        }
    }

    /** A new key and its token, which is not stored and cannot be shown again. */
    public record Created(Key key, String token) {
    }

    /**
     * Creates a key granted {@code tables} (names as requests give them, {@code schema.table} or
     * {@code table}; {@code *} for every table).
     */
    public Created create(String name, List<String> tables) throws SQLException {
        if (name == null || !NAME.matcher(name).matches()) {
            throw new IllegalArgumentException("a key name is 1 to 100 letters, digits, '_', '.', '@' or '-'");
        }
        if (tables.isEmpty() || tables.stream().anyMatch(t -> t.isBlank())) {
            throw new IllegalArgumentException("grant at least one table (--tables t1,t2, or * for every table)");
        }
        byte[] secret = new byte[32];
        RANDOM.nextBytes(secret);
        String token = TOKEN_PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "INSERT INTO ingest.api_keys (name, token_hash, tables) VALUES (?, ?, ?) RETURNING created_at")) {
            Array array = c.createArrayOf("text", tables.toArray());
            ps.setString(1, name);
            ps.setString(2, hash(token));
            ps.setArray(3, array);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return new Created(new Key(name, List.copyOf(tables), rs.getTimestamp(1).toInstant(), null), token);
            }
        } catch (SQLException e) {
            if ("23505".equals(e.getSQLState())) {
                throw new IllegalArgumentException("a key named \"" + name + "\" exists already");
            }
            throw e;
        }
    }

    public List<Key> list() throws SQLException {
        List<Key> keys = new ArrayList<>();
        try (Connection c = db.getConnection(); PreparedStatement ps = c.prepareStatement(
                "SELECT name, tables, created_at, revoked_at FROM ingest.api_keys ORDER BY name");
             ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                keys.add(new Key(rs.getString(1), Arrays.asList((String[]) rs.getArray(2).getArray()), rs.getTimestamp(3).toInstant(),
                        rs.getTimestamp(4) == null ? null : rs.getTimestamp(4).toInstant()));
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
