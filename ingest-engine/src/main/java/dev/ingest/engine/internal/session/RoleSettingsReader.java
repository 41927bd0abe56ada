package dev.ingest.engine.internal.session;

import dev.ingest.engine.SessionDefaults;
import dev.ingest.engine.SessionSettings;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/**
 * {@link SessionDefaults#fromRoleSettings()}: reads {@code pg_db_role_setting} through the fresh
 * pgjdbc connection and applies PostgreSQL's precedence (role in database, role, database, all
 * roles), falling back to what the server configuration gives.
 */
public final class RoleSettingsReader implements SessionDefaults {
    // Most specific first, as PostgreSQL applies them at login (process_settings).
    private static final String QUERY = """
            SELECT lower(split_part(cfg, '=', 1)), substr(cfg, strpos(cfg, '=') + 1)
              FROM pg_db_role_setting s, unnest(s.setconfig) AS cfg
             WHERE s.setdatabase IN (0, (SELECT oid FROM pg_database WHERE datname = current_database()))
               AND s.setrole IN (0, (SELECT oid FROM pg_roles WHERE rolname = session_user))
             ORDER BY CASE WHEN s.setdatabase <> 0 AND s.setrole <> 0 THEN 1
                           WHEN s.setrole <> 0 THEN 2 WHEN s.setdatabase <> 0 THEN 3 ELSE 4 END""";

    @Override
    public SessionSettings read(Connection fresh) throws SQLException {
        Map<String, String> configured = new HashMap<>();
        try (PreparedStatement ps = fresh.prepareStatement(QUERY); ResultSet rs = ps.executeQuery()) {
            while (rs.next()) {
                configured.putIfAbsent(rs.getString(1), rs.getString(2));
            }
        }
        String serverZone;
        String serverDateStyle;
        String intervalStyle;
        // pgjdbc sent TimeZone (hiding the server's) and DateStyle=ISO, which keeps the server's
        // order; it sends no IntervalStyle, so that one is already the database's.
        try (PreparedStatement ps = fresh.prepareStatement(
                "SELECT current_setting('log_timezone'), current_setting('DateStyle'), current_setting('IntervalStyle')");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            serverZone = rs.getString(1);
            serverDateStyle = rs.getString(2);
            intervalStyle = rs.getString(3);
        }
        String serverOrder = SessionSettings.dateOrderOf(serverDateStyle, "MDY");
        String dateStyle = configured.get("datestyle");
        return new SessionSettings(configured.getOrDefault("timezone", serverZone),
                dateStyle == null ? serverOrder : SessionSettings.dateOrderOf(dateStyle, serverOrder),
                intervalStyle.toLowerCase(Locale.ROOT));
    }
}
