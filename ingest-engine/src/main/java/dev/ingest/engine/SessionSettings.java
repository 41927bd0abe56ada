package dev.ingest.engine;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.Locale;
import java.util.Objects;

/**
 * The session settings that decide how PostgreSQL reads date and time text, as the database
 * gives them to this user in a session whose client overrides nothing (as psql gets them: the
 * server's configuration, then {@code ALTER DATABASE ... SET}, {@code ALTER ROLE ... SET} and
 * {@code ALTER ROLE ... IN DATABASE ... SET}, the most specific winning).
 *
 * <p>Only the field order of {@code DateStyle} affects input; its output part is always ISO on
 * the engine's connections, because pgjdbc closes a connection whose DateStyle does not start
 * with ISO. Settings that neither pgjdbc nor the engine touch ({@code timezone_abbreviations},
 * {@code lc_monetary}, {@code xmloption}, ...) are the database's already and are not listed.
 *
 * @param timeZone      {@code TimeZone}, e.g. {@code Asia/Kolkata}
 * @param dateOrder     the field order of {@code DateStyle}: {@code MDY}, {@code DMY} or {@code YMD}
 * @param intervalStyle {@code IntervalStyle}, e.g. {@code postgres} or {@code sql_standard}
 */
public record SessionSettings(String timeZone, String dateOrder, String intervalStyle) {
    public SessionSettings {
        Objects.requireNonNull(timeZone, "timeZone");
        Objects.requireNonNull(intervalStyle, "intervalStyle");
        if (!"MDY".equals(dateOrder) && !"DMY".equals(dateOrder) && !"YMD".equals(dateOrder)) {
            throw new IllegalArgumentException("dateOrder must be MDY, DMY or YMD but was " + dateOrder);
        }
    }

    /** The {@code DateStyle} the engine's connections use: ISO output, the database's input order. */
    public String dateStyle() {
        return "ISO, " + dateOrder;
    }

    /**
     * The field order a {@code DateStyle} value sets, read as PostgreSQL reads it: {@code YMD};
     * {@code DMY}, {@code Euro}, {@code European}; {@code MDY}, {@code US}, {@code NonEuro};
     * {@code German} implies DMY unless an order is also named. A value naming no order (e.g.
     * {@code SQL}) keeps {@code orderIfUnstated}, the order it was applied over.
     */
    public static String dateOrderOf(String dateStyle, String orderIfUnstated) {
        String order = null;
        boolean german = false;
        for (String token : dateStyle.split("[,\\s]+")) {
            switch (token.trim().toLowerCase(Locale.ROOT)) {
                case "ymd" -> order = "YMD";
                case "dmy", "euro", "european" -> order = "DMY";
                case "mdy", "us", "noneuro", "noneuropean" -> order = "MDY";
                case "german" -> german = true;
                default -> { } // output styles (ISO, SQL, Postgres) and blanks
            }
        }
        return order != null ? order : german ? "DMY" : orderIfUnstated;
    }

    /**
     * Gives {@code connection} these settings for the rest of its session. Values are bound, never
     * spliced into SQL text.
     */
    public void applyTo(Connection connection) throws SQLException {
        try (PreparedStatement ps = connection.prepareStatement(
                "SELECT set_config('TimeZone', ?, false), set_config('DateStyle', ?, false), set_config('IntervalStyle', ?, false)")) {
            ps.setString(1, timeZone);
            ps.setString(2, dateStyle());
            ps.setString(3, intervalStyle);
            ps.executeQuery().close();
        }
    }

    /** One line for the log: {@code TimeZone=Asia/Kolkata DateStyle="ISO, DMY" IntervalStyle=sql_standard}. */
    @Override
    public String toString() {
        return "TimeZone=" + timeZone + " DateStyle=\"" + dateStyle() + "\" IntervalStyle=" + intervalStyle;
    }
}
