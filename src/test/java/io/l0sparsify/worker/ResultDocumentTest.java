package io.l0sparsify.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.when;

import io.l0sparsify.dataset.Preprocessing;
import io.l0sparsify.export.DataConventions;
import io.l0sparsify.export.LatencyMeasurement;
import io.l0sparsify.job.Job;
import io.l0sparsify.job.JobDefinition;
import io.l0sparsify.job.JobDefinitionJson;
import io.l0sparsify.job.JobJson;
import io.l0sparsify.job.JobLimits;
import io.l0sparsify.l0.TrainingOptions;
import io.l0sparsify.l0.TrainingResult;
import io.l0sparsify.prune.PrunedLayer;
import io.l0sparsify.prune.PrunedNetwork;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * result.json as a record written by Jackson: the properties in the order of the contract's {@code Result}
 * schema, optional parts left out when absent, numbers written as Jackson writes Java numbers. (A byte-for-byte
 * comparison with the earlier tree-built document, over these cases, was made when the record replaced it.)
 */
class ResultDocumentTest {

    private static final LatencyMeasurement BATCH_1 = new LatencyMeasurement(1, 1, 50, 123.456, 234.5);
    private static final LatencyMeasurement BATCH_100 = new LatencyMeasurement(100, 1, 50, 1e7, 2.5e-3);

    /** conv(4 filters, 2 kept) → relu → flatten → dense(144 inputs, 72 kept → 10) on 1×8×8 inputs. */
    private static JsonNode result(String name, boolean keptInputsModel) {
        return result(name, keptInputsModel, null);
    }

    private static JsonNode result(String name, boolean keptInputsModel, io.l0sparsify.l0.BudgetOutcome budget) {
        return result(name, keptInputsModel, budget, "{\"epochs\": 3}");
    }

    private static JsonNode result(String name, boolean keptInputsModel, io.l0sparsify.l0.BudgetOutcome budget,
            String training) {
        JobDefinition definition = JobDefinitionJson.parse(JobJson.MAPPER.readTree("""
                {"model": {"inputShape": [1, 8, 8], "layers": [{"type": "conv2d", "filters": 4, "kernel": 3},
                 {"type": "relu"}, {"type": "flatten"}, {"type": "dense", "units": 10}]},
                 "dataset": {"uri": "builtin:mnist"}, "training": %s}""".formatted(training)),
                new JobLimits(null, null, null, null, null, null, null, null));
        Job job = mock(Job.class);
        when(job.id()).thenReturn("j-123");
        when(job.name()).thenReturn(name);
        int[] keptInputs = IntStream.range(0, 72).toArray();
        PrunedNetwork pruned = new PrunedNetwork(List.of(1, 8, 8), List.of(
                new PrunedLayer.Conv2d("conv_0", true, 4, 1, new int[] {0, 2}, new int[] {0}, 3, 1, 0, new float[18],
                        new float[2]),
                new PrunedLayer.Relu("relu_1"), new PrunedLayer.Flatten("flatten_2"),
                new PrunedLayer.Dense("dense_3", false, 144, 10, keptInputs, IntStream.range(0, 10).toArray(),
                        keptInputs, new float[720], new float[10])), 10);
        TrainingResult result = new TrainingResult(3, true, List.of(), 0.0123, pruned, pruned, 0.0125, new byte[3],
                "cpu()", 12.5, budget, null);
        JobArtifacts.Measurements measurements = new JobArtifacts.Measurements(BATCH_1, BATCH_100, BATCH_1,
                BATCH_100, 12345, 678, 5,
                keptInputsModel ? new JobArtifacts.KeptInputsModel(72, BATCH_1, BATCH_100, 999) : null);
        byte[] json = JobArtifacts.result(job, definition, TrainingOptions.defaults(), result,
                new ResultDocument.Dataset("builtin:mnist", 100, 50), measurements, new DataConventions(
                        new Preprocessing(1.0 / 255.0, List.of(0.1307), List.of(0.3081)), List.of("0", "1")));
        return JobJson.MAPPER.readTree(json);
    }

    private static List<String> names(JsonNode node) {
        return node.properties().stream().map(Map.Entry::getKey).toList();
    }

    @Test
    void propertiesComeInTheContractsOrderAndOptionalOnesOnlyWhenPresent() {
        assertThat(names(result(null, false))).containsExactly("formatVersion", "jobId", "architecture", "layers",
                "testError", "gatedTestError", "parameters", "flops", "compressionRatio", "flopReduction",
                "epochsCompleted", "stoppedEarly", "trainingSeconds", "device", "seed", "model", "training",
                "dataset", "latency", "onnxFileBytes", "preprocessing", "artifacts");
        assertThat(names(result("named", true))).containsSubsequence("formatVersion", "jobId", "name",
                "architecture").containsSubsequence("onnxFileBytes", "keptInputsModel", "preprocessing", "artifacts");
    }

    @Test
    void preprocessingIsRecordedAsTheRunAppliedIt() {
        JsonNode preprocessing = result(null, false).get("preprocessing");
        assertThat(names(preprocessing)).containsExactly("scale", "mean", "std", "layout", "description");
        assertThat(preprocessing.get("scale").asDouble()).isEqualTo(1.0 / 255.0);
        assertThat(preprocessing.get("mean").toString()).isEqualTo("[0.1307]");
        assertThat(preprocessing.get("std").toString()).isEqualTo("[0.3081]");
        assertThat(preprocessing.get("layout").asString()).isEqualTo("channel-first");
    }

    @Test
    void theOptimizerScheduleAndAugmentationAreRecordedWithTheirDefaultsFilledIn() {
        JsonNode json = result(null, false, null, "{\"epochs\": 3, \"optimizer\": {\"type\": \"sgd\"},"
                + " \"schedule\": {\"type\": \"step\", \"milestones\": [0.5]}, \"augmentation\": {\"padding\": 2}}");
        assertThat(io.l0sparsify.api.OpenApiContract.instance().schemaViolations("Result", json.toString())).isEmpty();
        JsonNode training = json.get("training");
        assertThat(training.get("learningRate").asDouble()).isEqualTo(0.1);
        assertThat(training.get("optimizer").toString())
                .isEqualTo("{\"type\":\"sgd\",\"momentum\":0.9,\"nesterov\":true}");
        assertThat(training.get("schedule").toString())
                .isEqualTo("{\"type\":\"step\",\"milestones\":[0.5],\"factor\":0.2}");
        assertThat(training.get("augmentation").toString()).isEqualTo("{\"padding\":2,\"flip\":true}");
        // the defaults (Adam, a constant rate, no augmentation) are no field at all
        assertThat(names(result(null, false).get("training"))).doesNotContain("optimizer", "schedule", "augmentation");
    }

    @Test
    void aBudgetSaysWhatTheGuaranteeDid() {
        var budget = new io.l0sparsify.l0.BudgetOutcome(io.l0sparsify.l0.SizeTarget.Metric.FLOPS, 0.25, 0.26, 0.24,
                1.5, 0.25, new io.l0sparsify.l0.BudgetOutcome.Enforcement(12, 0.31, 0.24, true, 0.05, 0.02, 1));
        JsonNode json = result(null, false, budget);
        assertThat(io.l0sparsify.api.OpenApiContract.instance().schemaViolations("Result", json.toString())).isEmpty();
        assertThat(names(json)).containsSubsequence("onnxFileBytes", "budget", "artifacts");
        JsonNode b = json.get("budget");
        assertThat(names(b)).containsExactly("metric", "target", "expected", "deterministic", "lambda1", "lambda2",
                "enforcement");
        assertThat(b.get("metric").asString()).isEqualTo("flops");
        assertThat(b.get("enforcement").get("groupsClosed").asInt()).isEqualTo(12);
        assertThat(b.get("enforcement").get("testErrorAfter").asDouble()).isEqualTo(0.02);
        var within = new io.l0sparsify.l0.BudgetOutcome(io.l0sparsify.l0.SizeTarget.Metric.PARAMETERS, 0.5, 0.49,
                0.48, -0.5, 0.01, null);
        assertThat(names(result(null, false, within).get("budget"))).doesNotContain("enforcement");
    }

    @Test
    void metricsCsvHasTheBudgetColumnsFilledOnlyForABudget() {
        var plain = new io.l0sparsify.l0.TrainingProgress(1, 2, 10, 10, true, 0.5, 0.01, 0.1, 100, 200,
                List.of(3, 4), 1.0, 50, 300);
        var budgeted = new io.l0sparsify.l0.TrainingProgress(2, 2, 20, 10, true, 0.5, 0.01, 0.1, 100, 200,
                List.of(3, 4), 1.0, 50, 300, new io.l0sparsify.l0.TrainingProgress.Budget(
                        io.l0sparsify.l0.SizeTarget.Metric.PARAMETERS, 0.1, 0.2, 0.25, 0.3, 2.0, 0.5, 0.15,
                        Double.NaN));
        String[] lines = new String(JobArtifacts.metricsCsv(List.of(plain, budgeted),
                io.l0sparsify.l0.TrainingOptions.builder().optEpochs(2).build()),
                java.nio.charset.StandardCharsets.UTF_8).split("\n");
        assertThat(lines[0]).endsWith(",rss_megabytes,budget_metric,budget_target,budget_current_target,"
                + "budget_expected,budget_deterministic,budget_lambda1,budget_lambda2,learning_rate,budget_aim,"
                + "budget_gain");
        assertThat(lines[1]).endsWith(",300.0,,,,,,,,0.001,,");
        // the gain is not a number during the warm-up: an empty cell
        assertThat(lines[2]).endsWith(",300.0,parameters,0.1,0.2,0.25,0.3,2.0,0.5,0.001,0.15,");
        assertThat(lines[2].split(",", -1)).hasSize(lines[0].split(",").length);
    }

    @Test
    void metricsCsvGivesTheLearningRateEachEpochTrainedWith() {
        // SGD from 0.1, ×0.2 at 30 %, 60 % and 80 % of 10 epochs: epochs (from 1) 1–3 at 0.1, 4–6 at 0.02,
        // 7–8 at 0.004, 9–10 at 0.0008
        var training = io.l0sparsify.l0.TrainingOptions.builder().optEpochs(10)
                .optOptimizer(io.l0sparsify.l0.OptimizerSpec.Sgd.paper())
                .optSchedule(io.l0sparsify.l0.LearningRateSchedule.Step.paper()).build();
        List<io.l0sparsify.l0.TrainingProgress> history = new java.util.ArrayList<>();
        for (int epoch = 1; epoch <= 10; epoch++) {
            history.add(new io.l0sparsify.l0.TrainingProgress(epoch, 10, epoch * 10L, 10, true, 0.5, 0.01, 0.1,
                    100, 200, List.of(3, 4), epoch, 50, 300));
        }
        String[] lines = new String(JobArtifacts.metricsCsv(history, training),
                java.nio.charset.StandardCharsets.UTF_8).split("\n");
        int column = List.of(lines[0].split(",")).indexOf("learning_rate");
        double[] rates = java.util.Arrays.stream(lines).skip(1)
                .mapToDouble(line -> Double.parseDouble(line.split(",", -1)[column])).toArray();
        assertThat(rates).containsExactly(new double[] {0.1, 0.1, 0.1, 0.02, 0.02, 0.02, 0.004, 0.004, 0.0008,
            0.0008}, org.assertj.core.data.Offset.offset(1e-12));
    }

    @Test
    void eachWeightedLayerIsSummarisedWithItsKindsOwnCount() {
        JsonNode layers = result(null, false).get("layers");
        assertThat(layers).hasSize(2);
        assertThat(names(layers.get(0))).containsExactly("name", "type", "gated", "unitKind", "originalUnits",
                "keptUnits", "keptIndices", "inputChannels", "parameters");
        assertThat(layers.get(0).get("keptIndices").toString()).isEqualTo("[0,2]");
        assertThat(names(layers.get(1))).containsExactly("name", "type", "gated", "unitKind", "originalUnits",
                "keptUnits", "keptIndices", "outputs", "parameters");
        assertThat(layers.get(1).get("unitKind").asString()).isEqualTo("inputs");
        // 144·10 + 10 before, 72·10 + 10 after
        assertThat(layers.get(1).get("parameters").toString()).isEqualTo("{\"dense\":1450,\"pruned\":730}");
    }

    @Test
    void latencyAndLinksReadAsBefore() {
        JsonNode root = result("named", true);
        assertThat(root.get("latency").toString()).isEqualTo("{\"runtime\":\"onnxruntime\",\"threads\":1,"
                + "\"warmupRuns\":5,\"runs\":50,"
                + "\"dense\":{\"batch1\":{\"batchSize\":1,\"medianMicros\":123.456,\"p90Micros\":234.5},"
                + "\"batch100\":{\"batchSize\":100,\"medianMicros\":1.0E7,\"p90Micros\":0.0025}},"
                + "\"pruned\":{\"batch1\":{\"batchSize\":1,\"medianMicros\":123.456,\"p90Micros\":234.5},"
                + "\"batch100\":{\"batchSize\":100,\"medianMicros\":1.0E7,\"p90Micros\":0.0025}}}");
        assertThat(names(root.get("keptInputsModel"))).containsExactly("artifact", "inputs", "onnxFileBytes",
                "latency");
        assertThat(names(root.get("artifacts"))).containsExactly("model.onnx", "model-kept-inputs.onnx",
                "weights.json", "metrics.csv", "gated-model.params", "spec.json", "training.svg", "layers.svg",
                "result.json");
        assertThat(root.get("artifacts").get("spec.json").asString()).isEqualTo("/v1/jobs/j-123/artifacts/spec.json");
    }
}
