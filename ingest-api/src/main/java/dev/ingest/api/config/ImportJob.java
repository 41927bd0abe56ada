package dev.ingest.api.config;

import com.github.kagkarlsson.scheduler.task.schedule.CronSchedule;
import com.github.kagkarlsson.scheduler.task.schedule.CronStyle;
import dev.ingest.api.formats.Format;
import java.net.MalformedURLException;
import java.net.URI;
import java.nio.file.Path;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A scheduled import, validated: every problem is reported at start, naming the job.
 *
 * @param cron       a standard 5-field cron expression (minute hour day-of-month month day-of-week)
 * @param source     a directory glob such as {@code /data/incoming/*.csv}, or an http(s) URL
 * @param format     null: from each file's name
 * @param onConflict error, ignore or update
 * @param doneDir    where {@link After#MOVE} puts finished files (null: {@code done/} beside them)
 */
public record ImportJob(String name, String cron, ZoneId zone, String source, String table, Format format, String onConflict,
        After after, Path doneDir) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,99}");

    /** What becomes of a source file once it is imported. */
    public enum After { KEEP, MOVE, DELETE }

    public ImportJob {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(zone, "zone");
        Objects.requireNonNull(after, "after");
    }

    /** The schedule; the expression was checked when the job was built. */
    public CronSchedule schedule() {
        return new CronSchedule(cron, zone, CronStyle.UNIX);
    }

    /** The source as it may be shown in answers, logs and history: a URL's credentials replaced by {@code ***}. */
    public String displaySource() {
        return redacted(source);
    }

    /** {@code url} with any {@code user:password@} replaced by {@code ***@}; other text as it is. */
    public static String redacted(String url) {
        int scheme = url.indexOf("://");
        if (scheme < 0) {
            return url;
        }
        int authorityEnd = url.length();
        for (char c : new char[] {'/', '?', '#'}) {
            int i = url.indexOf(c, scheme + 3);
            if (i >= 0) {
                authorityEnd = Math.min(authorityEnd, i);
            }
        }
        int at = url.lastIndexOf('@', authorityEnd - 1);
        return at < scheme ? url : url.substring(0, scheme + 3) + "***" + url.substring(at);
    }

    public boolean fromUrl() {
        return source.startsWith("http://") || source.startsWith("https://");
    }

    /** Validates the jobs of a config file. */
    public static List<ImportJob> fromConfig(List<ConfigFile.Import> entries) {
        List<ImportJob> jobs = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (ConfigFile.Import e : entries) {
            if (e == null || e.name() == null || !NAME.matcher(e.name()).matches()) {
                throw new IllegalArgumentException("imports: every job needs a name of letters, digits, '_', '.' or '-' "
                        + "(up to 100), got " + (e == null ? "an empty entry" : "\"" + e.name() + "\""));
            }
            String where = "imports: job \"" + e.name() + "\": ";
            if (!names.add(e.name())) {
                throw new IllegalArgumentException(where + "the name is used twice");
            }
            ZoneId zone;
            try {
                zone = e.timezone() == null ? ZoneId.of("UTC") : ZoneId.of(e.timezone());
            } catch (DateTimeException ex) {
                throw new IllegalArgumentException(where + "unknown timezone \"" + e.timezone() + "\"");
            }
            if (e.cron() == null || e.cron().isBlank()) {
                throw new IllegalArgumentException(where + "cron is required (5 fields: minute hour day-of-month month day-of-week)");
            }
            String cron = e.cron().trim();
            if (cron.split("\\s+").length != 5) {
                throw new IllegalArgumentException(where + "cron \"" + cron + "\" must have 5 fields: minute hour day-of-month "
                        + "month day-of-week, e.g. \"15 * * * *\"");
            }
            try {
                new CronSchedule(cron, zone, CronStyle.UNIX);
            } catch (RuntimeException ex) {
                throw new IllegalArgumentException(where + "invalid cron \"" + cron + "\": " + ex.getMessage());
            }
            if (e.source() == null || e.source().isBlank()) {
                throw new IllegalArgumentException(where + "source is required: a directory glob or an http(s) URL");
            }
            if (e.source().startsWith("http://") || e.source().startsWith("https://")) {
                try {
                    URI.create(e.source()).toURL();
                } catch (IllegalArgumentException | MalformedURLException ex) {
                    throw new IllegalArgumentException(where + "invalid source URL \"" + redacted(e.source()) + "\"");
                }
            }
            if (e.table() == null || e.table().isBlank()) {
                throw new IllegalArgumentException(where + "table is required");
            }
            Format format = null;
            if (e.format() != null) {
                try {
                    format = Format.parse(e.format());
                } catch (IllegalArgumentException ex) {
                    throw new IllegalArgumentException(where + ex.getMessage());
                }
            }
            String onConflict = e.onConflict() == null ? "error" : e.onConflict();
            if (!List.of("error", "ignore", "update").contains(onConflict)) {
                throw new IllegalArgumentException(where + "on_conflict must be error, ignore or update");
            }
            After after;
            try {
                after = e.after() == null ? After.KEEP : After.valueOf(e.after().toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException ex) {
                throw new IllegalArgumentException(where + "after must be keep, move or delete, not \"" + e.after() + "\"");
            }
            if (after != After.KEEP && (e.source().startsWith("http://") || e.source().startsWith("https://"))) {
                throw new IllegalArgumentException(where + "after: " + e.after() + " applies to files, not to a URL source");
            }
            jobs.add(new ImportJob(e.name(), cron, zone, e.source(), e.table(), format, onConflict, after,
                    e.doneDir() == null ? null : Path.of(e.doneDir())));
        }
        return jobs;
    }
}
