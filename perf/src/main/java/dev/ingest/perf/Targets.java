package dev.ingest.perf;

import java.util.ArrayList;
import java.util.List;

/**
 * The targets table of issue 15: each row a ratio (or a bound) of figures measured in one run, its
 * verdict computed from them. A figure that was not measured (a scenario left out with --scenario)
 * gives "not measured", never a PASS.
 */
final class Targets {
    enum Verdict { PASS, FAIL, REPORTED, NOT_MEASURED }

    record Row(String scenario, String figure, String measured, String target, Verdict verdict) {
    }

    private final List<Row> rows = new ArrayList<>();

    /** {@code value / reference} against a lower bound {@code min}; {@code null} inputs mean not measured. */
    Targets ratioAtLeast(String scenario, String figure, Double value, Double reference, double min) {
        if (value == null || reference == null || reference <= 0) {
            rows.add(new Row(scenario, figure, "–", String.format("≥ %.1f", min), Verdict.NOT_MEASURED));
            return this;
        }
        double r = value / reference;
        rows.add(new Row(scenario, figure, String.format("%.2f", r), String.format("≥ %.1f", min), r >= min ? Verdict.PASS : Verdict.FAIL));
        return this;
    }

    /** {@code value} (in {@code unit}) against an upper bound {@code max}. */
    Targets atMost(String scenario, String figure, Double value, double max, String unit) {
        if (value == null || value.isNaN()) {
            rows.add(new Row(scenario, figure, "–", String.format("≤ %s %s", fmt(max), unit), Verdict.NOT_MEASURED));
            return this;
        }
        rows.add(new Row(scenario, figure, fmt(value) + " " + unit, String.format("≤ %s %s", fmt(max), unit),
                value <= max ? Verdict.PASS : Verdict.FAIL));
        return this;
    }

    /** A figure with no target, reported as it is. */
    Targets reported(String scenario, String figure, String measured) {
        rows.add(new Row(scenario, figure, measured == null ? "–" : measured, "reported",
                measured == null ? Verdict.NOT_MEASURED : Verdict.REPORTED));
        return this;
    }

    /** {@code value / reference} with no target ("fraction of the ceiling"). */
    Targets fraction(String scenario, String figure, Double value, Double reference) {
        return reported(scenario, figure, value == null || reference == null || reference <= 0 ? null : String.format("%.2f", value / reference));
    }

    List<Row> rows() {
        return List.copyOf(rows);
    }

    String markdown() {
        StringBuilder t = new StringBuilder("| scenario | figure | measured | target | |\n|---|---|---|---|---|\n");
        for (Row r : rows) {
            String v = switch (r.verdict()) {
                case PASS -> "PASS";
                case FAIL -> "FAIL";
                case REPORTED -> "";
                case NOT_MEASURED -> "not measured";
            };
            t.append("| ").append(r.scenario()).append(" | ").append(r.figure()).append(" | ").append(r.measured()).append(" | ")
                    .append(r.target()).append(" | ").append(v).append(" |\n");
        }
        return t.toString();
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? String.format("%.0f", v) : String.format("%.1f", v);
    }
}
