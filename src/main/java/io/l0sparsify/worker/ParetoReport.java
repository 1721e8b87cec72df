package io.l0sparsify.worker;

import io.l0sparsify.job.SweepPlan;
import io.l0sparsify.l0.SizeTarget;
import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.geom.Ellipse2D;
import java.awt.geom.Rectangle2D;
import java.nio.charset.StandardCharsets;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.plot.CombinedRangeXYPlot;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;
import org.jfree.svg.SVGGraphics2D;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * The accuracy-versus-size front of a sweep, built from the points' result.json documents (so a resumed sweep
 * reports the points an earlier attempt exported exactly as it does its own): pareto.json, pareto.csv, the chart
 * pareto.svg (test error against FLOPs, parameters and measured batch-1 latency), and the selection of the job's
 * main model.
 *
 * @param plan the sweep
 * @param points one per point trained, in run order
 * @param selected the index of the main model's point
 * @param selection why that point was selected, in words
 */
record ParetoReport(SweepPlan plan, List<Point> points, int selected, String selection) {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    ParetoReport {
        points = List.copyOf(points);
    }

    /**
     * One point as its result.json states it.
     *
     * @param parameters the pruned network's parameters; {@code denseParameters} the original's
     * @param latencyMicros median batch-1 latency of the pruned ONNX model in ONNX Runtime
     */
    record Point(int index, double target, double testError, long parameters, long denseParameters, long flops,
            long denseFlops, double latencyMicros, double latencyBatch100Micros, String architecture,
            int epochsCompleted, boolean stoppedEarly) {

        /** The point's size in the sweep's metric, as a fraction of the original network's. */
        double size(SizeTarget.Metric metric) {
            return switch (metric) {
                case FLOPS -> denseFlops == 0 ? 0 : flops / (double) denseFlops;
                case PARAMETERS -> denseParameters == 0 ? 0 : parameters / (double) denseParameters;
            };
        }

        static Point of(int index, double target, JsonNode result) {
            JsonNode pruned = result.path("latency").path("pruned");
            return new Point(index, target, result.path("testError").asDouble(),
                    result.path("parameters").path("pruned").asLong(), result.path("parameters").path("dense").asLong(),
                    result.path("flops").path("pruned").asLong(), result.path("flops").path("dense").asLong(),
                    pruned.path("batch1").path("medianMicros").asDouble(),
                    pruned.path("batch100").path("medianMicros").asDouble(), result.path("architecture").asString(),
                    result.path("epochsCompleted").asInt(), result.path("stoppedEarly").asBoolean());
        }
    }

    /**
     * The report of the points trained, with the main model chosen by the plan's rule: the smallest point (by the
     * sweep's metric; the lower error on a tie) whose test error is at most {@code maxErrorIncrease} above the
     * densest point's, or without a rule the smallest point.
     */
    static ParetoReport of(SweepPlan plan, List<Point> points) {
        if (points.isEmpty()) {
            throw new IllegalArgumentException("a sweep report needs at least one point");
        }
        SizeTarget.Metric metric = plan.metric();
        Comparator<Point> smallestFirst = Comparator.<Point>comparingDouble(p -> p.size(metric))
                .thenComparingDouble(Point::testError);
        Point densest = points.getFirst();
        Point chosen;
        String why;
        if (plan.maxErrorIncrease() == null) {
            chosen = points.stream().min(smallestFirst).orElseThrow();
            why = String.format(Locale.ROOT, "no select rule: the smallest point by %s (%.4f of the original)",
                    metric.field(), chosen.size(metric));
        } else {
            double limit = densest.testError() + plan.maxErrorIncrease();
            chosen = points.stream().filter(p -> p.testError() <= limit).min(smallestFirst).orElse(densest);
            why = String.format(Locale.ROOT, "the smallest point by %s (%.4f of the original) whose test error %.4f"
                    + " is within maxErrorIncrease %s of the densest point's %.4f (at most %.4f)", metric.field(),
                    chosen.size(metric), chosen.testError(), plan.maxErrorIncrease(), densest.testError(), limit);
        }
        return new ParetoReport(plan, points, chosen.index(), why);
    }

    /** Whether no other point is at most as large and at most as wrong, and strictly better in one of them. */
    boolean onFront(Point p) {
        SizeTarget.Metric metric = plan.metric();
        return points.stream().noneMatch(q -> q != p && q.size(metric) <= p.size(metric)
                && q.testError() <= p.testError()
                && (q.size(metric) < p.size(metric) || q.testError() < p.testError()));
    }

    byte[] json(String jobId) {
        ObjectNode root = MAPPER.createObjectNode();
        root.put("metric", plan.metric().field());
        plan.targets().forEach(root.putArray("targets")::add);
        Point first = points.getFirst();
        ObjectNode original = root.putObject("original");
        original.put("parameters", first.denseParameters());
        original.put("flops", first.denseFlops());
        root.put("selectedPoint", selected);
        root.put("selection", selection);
        ArrayNode list = root.putArray("points");
        for (Point p : points) {
            ObjectNode node = list.addObject();
            node.put("point", p.index());
            node.put("target", p.target());
            node.put("testError", p.testError());
            node.put("parameters", p.parameters());
            node.put("flops", p.flops());
            node.put("parameterFraction", p.size(SizeTarget.Metric.PARAMETERS));
            node.put("flopFraction", p.size(SizeTarget.Metric.FLOPS));
            node.put("latencyBatch1Micros", p.latencyMicros());
            node.put("latencyBatch100Micros", p.latencyBatch100Micros());
            node.put("architecture", p.architecture());
            node.put("epochsCompleted", p.epochsCompleted());
            node.put("stoppedEarly", p.stoppedEarly());
            node.put("onFront", onFront(p));
            node.put("selected", p.index() == selected);
            node.put("result", "/v1/jobs/" + jobId + "/artifacts/"
                    + SweepArtifacts.ofPoint(p.index(), JobArtifacts.RESULT));
            node.put("model", "/v1/jobs/" + jobId + "/artifacts/"
                    + SweepArtifacts.ofPoint(p.index(), JobArtifacts.MODEL));
        }
        return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
    }

    byte[] csv() {
        StringBuilder csv = new StringBuilder("point,target,test_error,parameters,flops,parameter_fraction,"
                + "flop_fraction,latency_batch1_micros,latency_batch100_micros,architecture,epochs_completed,"
                + "stopped_early,on_front,selected\n");
        for (Point p : points) {
            csv.append(String.format(Locale.ROOT, "%d,%s,%s,%d,%d,%s,%s,%s,%s,%s,%d,%b,%b,%b%n", p.index(),
                    p.target(), p.testError(), p.parameters(), p.flops(), p.size(SizeTarget.Metric.PARAMETERS),
                    p.size(SizeTarget.Metric.FLOPS), p.latencyMicros(), p.latencyBatch100Micros(), p.architecture(),
                    p.epochsCompleted(), p.stoppedEarly(), onFront(p), p.index() == selected));
        }
        return csv.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** Three panels sharing the test-error axis: against FLOPs, parameters and batch-1 latency. */
    byte[] svg() {
        NumberAxis error = new NumberAxis("test error");
        error.setAutoRangeIncludesZero(false);
        CombinedRangeXYPlot plot = new CombinedRangeXYPlot(error);
        plot.setGap(12);
        plot.add(panel("FLOPs", points.stream().map(p -> new double[] {p.flops(), p.testError()}).toList()));
        plot.add(panel("parameters", points.stream().map(p -> new double[] {p.parameters(), p.testError()}).toList()));
        plot.add(panel("latency, batch 1 (µs)",
                points.stream().map(p -> new double[] {p.latencyMicros(), p.testError()}).toList()));
        JFreeChart chart = new JFreeChart("Test error against size: sweep over " + plan.metric().field()
                + " targets (point " + selected + " selected)", JFreeChart.DEFAULT_TITLE_FONT, plot, false);
        chart.setBackgroundPaint(Color.WHITE);
        int width = 1200;
        int height = 420;
        SVGGraphics2D graphics = new SVGGraphics2D(width, height);
        chart.draw(graphics, new Rectangle2D.Double(0, 0, width, height));
        // no DOCTYPE (SVG 2 has none): a reader that resolved it would fetch the DTD from the network
        return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + graphics.getSVGElement())
                .getBytes(StandardCharsets.UTF_8);
    }

    private XYPlot panel(String label, List<double[]> xy) {
        XYSeries series = new XYSeries(label, false, true);
        XYSeries chosen = new XYSeries("selected", false, true);
        for (int i = 0; i < xy.size(); i++) {
            series.add(xy.get(i)[0], xy.get(i)[1]);
            if (points.get(i).index() == selected) {
                chosen.add(xy.get(i)[0], xy.get(i)[1]);
            }
        }
        XYSeriesCollection data = new XYSeriesCollection();
        data.addSeries(series);
        data.addSeries(chosen);
        NumberAxis x = new NumberAxis(label);
        x.setAutoRangeIncludesZero(false);
        XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, true);
        renderer.setSeriesPaint(0, new Color(0x1f77b4));
        renderer.setSeriesStroke(0, new BasicStroke(1.5f));
        renderer.setSeriesPaint(1, new Color(0xd62728));
        renderer.setSeriesLinesVisible(1, false);
        renderer.setSeriesShape(1, new Ellipse2D.Double(-6, -6, 12, 12));
        return new XYPlot(data, x, null, renderer);
    }
}
