package dev.ingest.perf;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/** Repeated measurements of one figure: median and spread, as the report gives them. */
record Stats(String name, List<Double> values) {
    Stats {
        values = List.copyOf(values);
    }

    double median() {
        List<Double> v = new ArrayList<>(values);
        Collections.sort(v);
        int n = v.size();
        return n == 0 ? Double.NaN : n % 2 == 1 ? v.get(n / 2) : (v.get(n / 2 - 1) + v.get(n / 2)) / 2;
    }

    double min() {
        return values.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
    }

    double max() {
        return values.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
    }

    /** "median (min–max, n=k)" with whole numbers. */
    String describe() {
        return String.format("%,.0f (%,.0f–%,.0f, n=%d)", median(), min(), max(), values.size());
    }
}
