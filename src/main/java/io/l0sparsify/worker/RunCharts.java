package io.l0sparsify.worker;

import io.l0sparsify.l0.TrainingProgress;
import io.l0sparsify.prune.PrunedLayer;
import io.l0sparsify.prune.PrunedNetwork;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.geom.Rectangle2D;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Optional;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.CategoryAxis;
import org.jfree.chart.axis.CategoryLabelPositions;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.CombinedDomainXYPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.title.TextTitle;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;

/**
 * The pictures of a finished run, for people who never open the console: {@code training.svg} (the curves of
 * metrics.csv against the epoch) and {@code layers.svg} (original against kept units of every weighted layer, as
 * result.json's {@code layers} counts them). Drawn with JFreeChart, like the sweep's pareto.svg.
 */
final class RunCharts {

    private static final Color BLUE = new Color(0x1f77b4);
    private static final Color ORANGE = new Color(0xff7f0e);
    private static final Color GREEN = new Color(0x2ca02c);
    private static final Color RED = new Color(0xd62728);
    private static final Color PURPLE = new Color(0x9467bd);
    private static final Color BROWN = new Color(0x8c564b);
    private static final Color PINK = new Color(0xe377c2);
    private static final Color GREY = new Color(0x7f7f7f);
    private static final Color CYAN = new Color(0x17becf);
    private static final Color[] COLOURS = {BLUE, ORANGE, GREEN, RED, PURPLE, BROWN, PINK, GREY, CYAN};

    private RunCharts() {}

    /**
     * Train loss, test error and the expected size under the gates (non-zero parameters and FLOPs, as metrics.csv
     * has them) against the epoch, one panel each on a shared epoch axis; with a size budget a fourth panel shows
     * the expected and the pruned size as fractions of the original beside the budget, its ramped target and where
     * the controller aimed the expected size.
     *
     * @param history one snapshot per epoch end, as in metrics.csv
     */
    static byte[] training(List<TrainingProgress> history, String title) {
        NumberAxis epoch = new NumberAxis("epoch");
        epoch.setStandardTickUnits(NumberAxis.createIntegerTickUnits());
        CombinedDomainXYPlot plot = new CombinedDomainXYPlot(epoch);
        plot.setGap(10);
        plot.add(panel("train loss", history, 0, series("train loss", history, TrainingProgress::trainLoss)), 1);
        plot.add(panel("test error", history, 1, series("test error", history, TrainingProgress::testError)), 1);
        plot.add(panel("expected size", history, 2,
                series("expected non-zero parameters", history, TrainingProgress::expectedL0),
                series("expected FLOPs", history, TrainingProgress::expectedFlops)), 1);
        Optional<TrainingProgress.Budget> budget = history.stream().map(TrainingProgress::budget)
                .filter(b -> b != null).findFirst();
        if (budget.isPresent()) {
            String metric = budget.get().metric().field();
            plot.add(panel(metric + " / original", history, 4,
                    budgetSeries("expected", history, TrainingProgress.Budget::expected),
                    budgetSeries("pruned now", history, TrainingProgress.Budget::deterministic),
                    budgetSeries("ramped target", history, TrainingProgress.Budget::currentTarget),
                    budgetSeries("aim", history, TrainingProgress.Budget::aim),
                    budgetSeries("budget", history, TrainingProgress.Budget::target)), 1);
        }
        JFreeChart chart = new JFreeChart(title, JFreeChart.DEFAULT_TITLE_FONT, plot, true);
        if (history.isEmpty()) {
            chart.addSubtitle(new TextTitle("no epoch completed"));
        }
        return svg(chart, "training", 900, budget.isPresent() ? 960 : 760);
    }

    /** Original and kept units of every dense layer (its inputs) and conv layer (its filters), in forward order. */
    static byte[] layers(PrunedNetwork pruned, String title) {
        DefaultCategoryDataset data = new DefaultCategoryDataset();
        addUnits(pruned.layers(), data);
        CategoryAxis layers = new CategoryAxis("layer");
        if (data.getColumnCount() > 6) {
            layers.setCategoryLabelPositions(CategoryLabelPositions.UP_45);
        }
        BarRenderer renderer = new BarRenderer();
        renderer.setBarPainter(new StandardBarPainter());
        renderer.setShadowVisible(false);
        renderer.setItemMargin(0.05);
        renderer.setSeriesPaint(0, new Color(0xc7c7c7));
        renderer.setSeriesPaint(1, BLUE);
        CategoryPlot plot = new CategoryPlot(data, layers, new NumberAxis("units"), renderer);
        plot.setOrientation(PlotOrientation.VERTICAL);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        JFreeChart chart = new JFreeChart(title + ": " + pruned.architecture(), JFreeChart.DEFAULT_TITLE_FONT, plot,
                true);
        return svg(chart, "layers", Math.max(600, 120 + 90 * data.getColumnCount()), 460);
    }

    /** Adds the bars of {@code layers}, a residual block's body where it meets one (its shortcut is never gated). */
    private static void addUnits(List<PrunedLayer> layers, DefaultCategoryDataset data) {
        for (PrunedLayer layer : layers) {
            switch (layer) {
                case PrunedLayer.Dense d -> {
                    String label = d.name() + " inputs" + (d.gated() ? "" : " (ungated)");
                    data.addValue(d.originalInputs(), "original", label);
                    data.addValue(d.inputs(), "kept", label);
                }
                case PrunedLayer.Conv2d c -> {
                    String label = c.name() + " filters" + (c.gated() ? "" : " (ungated)");
                    data.addValue(c.originalFilters(), "original", label);
                    data.addValue(c.filters(), "kept", label);
                }
                case PrunedLayer.Residual r -> addUnits(r.body(), data);
                case PrunedLayer.MaxPool _, PrunedLayer.AvgPool _, PrunedLayer.Relu _, PrunedLayer.Flatten _,
                        PrunedLayer.BatchNorm _, PrunedLayer.GlobalAvgPool _ -> {}
            }
        }
    }

    private interface Metric {
        double of(TrainingProgress p);
    }

    private interface BudgetMetric {
        double of(TrainingProgress.Budget b);
    }

    /** The finite values of one column; an epoch without a measurement (NaN) leaves a gap. */
    private static XYSeries series(String name, List<TrainingProgress> history, Metric metric) {
        XYSeries series = new XYSeries(name, true, false);
        for (TrainingProgress p : history) {
            double value = metric.of(p);
            if (Double.isFinite(value)) {
                series.add(p.epoch(), value);
            }
        }
        return series;
    }

    private static XYSeries budgetSeries(String name, List<TrainingProgress> history, BudgetMetric metric) {
        return series(name, history, p -> p.budget() == null ? Double.NaN : metric.of(p.budget()));
    }

    /** One panel; its series take the colours from {@code firstColour} on, so no two curves of the chart share one. */
    private static XYPlot panel(String label, List<TrainingProgress> history, int firstColour, XYSeries... series) {
        XYSeriesCollection data = new XYSeriesCollection();
        for (XYSeries s : series) {
            data.addSeries(s);
        }
        // from zero: how far a loss, an error or a size fell reads off the height at a glance
        NumberAxis axis = new NumberAxis(label);
        // one epoch gives one point per series: shapes keep it visible where a line needs two
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, history.size() <= 30);
        for (int i = 0; i < series.length; i++) {
            renderer.setSeriesPaint(i, COLOURS[(firstColour + i) % COLOURS.length]);
            renderer.setSeriesStroke(i, new BasicStroke(1.5f));
        }
        XYPlot plot = new XYPlot(data, null, axis, renderer);
        plot.setBackgroundPaint(Color.WHITE);
        plot.setRangeGridlinePaint(new Color(0xdddddd));
        plot.setDomainGridlinePaint(new Color(0xdddddd));
        return plot;
    }

    /**
     * The chart as one standalone SVG document. Its element ids start with {@code name} (unique among the pictures a
     * page may show together) instead of JFreeSVG's default of the clock's nanoseconds, so the same run draws the
     * same bytes.
     */
    static byte[] svg(JFreeChart chart, String name, int width, int height) {
        chart.setBackgroundPaint(Color.WHITE);
        SVGGraphics2D graphics = new SVGGraphics2D(width, height);
        graphics.setDefsKeyPrefix("l0-" + name + "-");
        chart.draw(graphics, new Rectangle2D.Double(0, 0, width, height));
        // no DOCTYPE (SVG 2 has none): a reader that resolved it would fetch the DTD from the network
        return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + graphics.getSVGElement())
                .getBytes(StandardCharsets.UTF_8);
    }
}
