package dev.ingest.perf;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.style.Styler;

/** The report's PNG charts, drawn with XChart. */
final class Charts {
    /** Degrees the category labels are turned so that long ones ("ingest load copy_binary") do not overlap. */
    private static final int LABEL_ROTATION = 30;

    private Charts() {
    }

    /** A bar per label, with error bars from min to max around the median. */
    static void bars(Path file, String title, String yTitle, List<Stats> stats) throws IOException {
        CategoryChart chart = categoryChart(title, yTitle);
        chart.getStyler().setLegendVisible(false);
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setDecimalPattern("#,###");
        List<String> names = new ArrayList<>();
        List<Double> medians = new ArrayList<>();
        List<Double> errors = new ArrayList<>();
        for (Stats s : stats) {
            names.add(s.name());
            medians.add(s.median());
            errors.add((s.max() - s.min()) / 2);
        }
        chart.addSeries("median", names, medians, errors);
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /** Grouped bars: one series per entry, one group per category. */
    static void groupedBars(Path file, String title, String yTitle, List<String> categories, Map<String, List<Double>> series,
            boolean logarithmic) throws IOException {
        CategoryChart chart = categoryChart(title, yTitle);
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNW);
        chart.getStyler().setYAxisLogarithmic(logarithmic);
        chart.getStyler().setLabelsVisible(true);
        chart.getStyler().setDecimalPattern("#,##0.0");
        series.forEach((name, values) -> chart.addSeries(name, categories, values));
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    /** A bar chart of the report's size, its category labels turned. */
    private static CategoryChart categoryChart(String title, String yTitle) {
        CategoryChart chart = new CategoryChartBuilder().width(900).height(520).title(title).yAxisTitle(yTitle).build();
        chart.getStyler().setXAxisLabelRotation(LABEL_ROTATION);
        return chart;
    }

    /** Lines over time (seconds); each series its own y values on a shared x. */
    static void lines(Path file, String title, String yTitle, double[] x, Map<String, double[]> series) throws IOException {
        XYChart chart = new XYChartBuilder().width(900).height(480).title(title).xAxisTitle("seconds").yAxisTitle(yTitle).build();
        chart.getStyler().setLegendPosition(Styler.LegendPosition.InsideNE);
        chart.getStyler().setMarkerSize(0);
        series.forEach((name, y) -> chart.addSeries(name, x, y));
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }
}
