package io.l0sparsify.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.offset;

import io.l0sparsify.l0.SizeTarget;
import io.l0sparsify.l0.TrainingProgress;
import io.l0sparsify.prune.PrunedLayer;
import io.l0sparsify.prune.PrunedNetwork;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import javax.xml.parsers.DocumentBuilderFactory;
import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;

/** training.svg and layers.svg: standalone SVG documents whose marks follow the numbers they are drawn from. */
class RunChartsTest {

    private static TrainingProgress epoch(int epoch, double loss, double error, TrainingProgress.Budget budget) {
        return new TrainingProgress(epoch, 3, epoch * 10L, 10, true, loss, 0.01, error, 5000 - 1000 * epoch,
                9000 - 2000 * epoch, List.of(700, 8), epoch, 100, -1, budget);
    }

    private static Document parse(byte[] svg) throws Exception {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setNamespaceAware(true);
        return factory.newDocumentBuilder().parse(new ByteArrayInputStream(svg));
    }

    @Test
    void trainingChartHasAPanelPerCurveAndTheBudgetOnlyWhenThereIsOne() throws Exception {
        List<TrainingProgress> plain = List.of(epoch(1, 0.9, 0.3, null), epoch(2, 0.5, 0.2, null),
                epoch(3, 0.4, Double.NaN, null));
        String svg = new String(RunCharts.training(plain, "mlp-run"), StandardCharsets.UTF_8);
        // vertical axis labels are drawn as outlines: the legend holds the series' names as text
        assertThat(parse(svg.getBytes(StandardCharsets.UTF_8)).getDocumentElement().getLocalName()).isEqualTo("svg");
        assertThat(svg).startsWith("<?xml").doesNotContain("<!DOCTYPE")
                .contains(">mlp-run<", ">train loss<", ">test error<", ">epoch<",
                        ">expected non-zero parameters<", ">expected FLOPs<")
                .doesNotContain(">ramped target<", ">budget<", ">aim<");

        TrainingProgress.Budget budget = new TrainingProgress.Budget(SizeTarget.Metric.FLOPS, 0.25, 0.6, 0.55, 0.5,
                0.1, 0.01, 0.24, 0.3);
        String withBudget = new String(RunCharts.training(List.of(epoch(1, 0.9, 0.3, budget)), "budget-run"),
                StandardCharsets.UTF_8);
        assertThat(withBudget).contains(">ramped target<", ">budget<", ">pruned now<", ">aim<");
    }

    @Test
    void theSameRunDrawsTheSameBytes() {
        List<TrainingProgress> history = List.of(epoch(1, 0.9, 0.3, null), epoch(2, 0.5, 0.2, null));
        assertThat(RunCharts.training(history, "again")).isEqualTo(RunCharts.training(history, "again"));
    }

    @Test
    void aRunStoppedBeforeItsFirstEpochEndStillGetsAChart() throws Exception {
        String svg = new String(RunCharts.training(List.of(), "early"), StandardCharsets.UTF_8);
        assertThat(parse(svg.getBytes(StandardCharsets.UTF_8)).getDocumentElement().getLocalName()).isEqualTo("svg");
        assertThat(svg).contains(">no epoch completed<");
    }

    @Test
    void layerBarsAreAsHighAsTheUnitsTheyCount() throws Exception {
        // conv: 2 of 4 filters kept; dense: 30 of 144 inputs kept
        PrunedNetwork pruned = new PrunedNetwork(List.of(1, 8, 8), List.of(
                new PrunedLayer.Conv2d("conv_0", true, 4, 1, new int[] {0, 2}, new int[] {0}, 3, 1, 0, new float[18],
                        new float[2]),
                new PrunedLayer.Relu("relu_1"), new PrunedLayer.Flatten("flatten_2"),
                new PrunedLayer.Dense("dense_3", true, 144, 10, IntStream.range(0, 30).toArray(),
                        IntStream.range(0, 10).toArray(), null, new float[300], new float[10])), 10);
        byte[] bytes = RunCharts.layers(pruned, "cnn");
        String svg = new String(bytes, StandardCharsets.UTF_8);
        assertThat(parse(bytes).getDocumentElement().getLocalName()).isEqualTo("svg");
        assertThat(svg).contains(">cnn: " + pruned.architecture() + "<", ">conv_0 filters<", ">dense_3 inputs<",
                ">original<", ">kept<");
        // The bars are the filled rectangles drawn in the series' colours; their heights keep the ratios of the
        // counts (4 : 2 : 144 : 30), whatever the scale of the axis.
        List<Double> heights = barHeights(svg);
        assertThat(heights).hasSize(4);
        double unit = heights.get(2) / 144;
        assertThat(heights.get(0) / unit).isCloseTo(4, offset(0.05));
        assertThat(heights.get(1) / unit).isCloseTo(2, offset(0.05));
        assertThat(heights.get(3) / unit).isCloseTo(30, offset(0.05));
    }

    /** Heights of the rectangles filled in the bar colours, in drawing order (series within each category). */
    private static List<Double> barHeights(String svg) {
        Matcher rect = Pattern.compile("<rect ([^>]*)/>").matcher(svg);
        List<Double> heights = new ArrayList<>();
        while (rect.find()) {
            String attributes = rect.group(1);
            if (attributes.contains("rgb(199,199,199)") || attributes.contains("rgb(31,119,180)")) {
                Matcher h = Pattern.compile("height='([0-9.]+)'").matcher(attributes);
                if (h.find() && !attributes.contains("stroke")) {
                    heights.add(Double.parseDouble(h.group(1)));
                }
            }
        }
        return heights;
    }
}
