package io.l0sparsify.worker;

import static org.assertj.core.api.Assertions.assertThat;

import io.l0sparsify.job.SweepPlan;
import io.l0sparsify.l0.SizeTarget;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The selection rule and the front of a sweep's report, on points whose numbers are written here. */
class ParetoReportTest {

    private static final List<Double> TARGETS = List.of(0.5, 0.25, 0.1, 0.05);

    /** Original: 1000 parameters, 2000 FLOPs; sizes in FLOPs are 2 × the parameters here. */
    private static ParetoReport.Point point(int index, double error, long parameters) {
        return new ParetoReport.Point(index, TARGETS.get(index), error, parameters, 1000, 2 * parameters, 2000,
                100 - index, 1000 - index, "a-" + index, 3, false);
    }

    private static final List<ParetoReport.Point> POINTS = List.of(
            point(0, 0.020, 500),   // densest: the reference error
            point(1, 0.024, 250),   // +0.004
            point(2, 0.030, 100),   // +0.010
            point(3, 0.024, 50));   // +0.004 again, and the smallest

    @Test
    void selectsTheSmallestPointWithinTheAllowedIncreaseOverTheDensest() {
        // 0.024 ≤ 0.020 + 0.005; 0.030 is not: point 3 (50 parameters) is the smallest within it
        ParetoReport report = ParetoReport.of(new SweepPlan(SizeTarget.Metric.FLOPS, TARGETS, 0.005), POINTS);
        assertThat(report.selected()).isEqualTo(3);
        assertThat(report.selection()).contains("maxErrorIncrease 0.005", "0.0200", "0.0250");
    }

    @Test
    void aTightRuleKeepsTheDensestPoint() {
        ParetoReport report = ParetoReport.of(new SweepPlan(SizeTarget.Metric.PARAMETERS, TARGETS, 0.001), POINTS);
        assertThat(report.selected()).isZero();
    }

    @Test
    void withoutARuleTheSmallestPointIsTheMainModel() {
        List<ParetoReport.Point> points = List.of(point(0, 0.02, 500), point(1, 0.5, 40), point(2, 0.03, 60));
        ParetoReport report = ParetoReport.of(new SweepPlan(SizeTarget.Metric.PARAMETERS, TARGETS.subList(0, 3), null),
                points);
        assertThat(report.selected()).isEqualTo(1);
        assertThat(report.selection()).startsWith("no select rule");
    }

    @Test
    void theFrontHoldsThePointsNoOtherBeatsInSizeAndError() {
        ParetoReport report = ParetoReport.of(new SweepPlan(SizeTarget.Metric.FLOPS, TARGETS, 0.005), POINTS);
        // point 1 (250, 0.024) and point 2 (100, 0.030) are beaten by point 3 (50, 0.024)
        assertThat(POINTS).filteredOn(report::onFront).extracting(ParetoReport.Point::index).containsExactly(0, 3);
    }

    @Test
    void jsonAndCsvCarryEveryPointAndTheSvgIsOneDocument() throws Exception {
        ParetoReport report = ParetoReport.of(new SweepPlan(SizeTarget.Metric.FLOPS, TARGETS, 0.005), POINTS);
        JsonNode json = JsonMapper.builder().build().readTree(report.json("job-1"));
        assertThat(json.path("selectedPoint").asInt()).isEqualTo(3);
        assertThat(json.path("original").path("flops").asLong()).isEqualTo(2000);
        assertThat(json.path("points")).hasSize(4);
        assertThat(json.path("points").get(2).path("flopFraction").asDouble()).isEqualTo(0.1);
        assertThat(json.path("points").get(3).path("model").asString())
                .isEqualTo("/v1/jobs/job-1/artifacts/points-3-model.onnx");
        List<String> csv = new String(report.csv(), StandardCharsets.UTF_8).lines().toList();
        assertThat(csv).hasSize(5);
        assertThat(csv.get(3)).isEqualTo("2,0.1,0.03,100,200,0.1,0.1,98.0,998.0,a-2,3,false,false,false");
        String svg = new String(report.svg(), StandardCharsets.UTF_8);
        assertThat(svg).startsWith("<?xml").contains("<svg", "(point 3 selected)").endsWith("</svg>");
    }
}
