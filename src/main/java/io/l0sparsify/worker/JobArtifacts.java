package io.l0sparsify.worker;

import io.l0sparsify.export.DataConventions;
import io.l0sparsify.export.LatencyMeasurement;
import io.l0sparsify.job.Job;
import io.l0sparsify.job.JobDefinition;
import io.l0sparsify.job.JobDefinitionJson;
import io.l0sparsify.job.ModelSpecJson;
import io.l0sparsify.l0.TrainingOptions;
import io.l0sparsify.l0.TrainingProgress;
import io.l0sparsify.l0.TrainingResult;
import io.l0sparsify.prune.PrunedLayer;
import io.l0sparsify.prune.PrunedNetwork;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Collectors;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The documents of a finished job besides the exporter's files: result.json (what {@code GET .../result}
 * returns, a {@link ResultDocument}), metrics.csv (one row per epoch) and spec.json (what is needed to rerun or
 * fine-tune the job); the pictures training.svg and layers.svg are drawn by {@link RunCharts}.
 */
final class JobArtifacts {

    static final String MODEL = "model.onnx";
    static final String MODEL_KEPT_INPUTS = "model-kept-inputs.onnx";
    static final String WEIGHTS = "weights.json";
    static final String RESULT = "result.json";
    static final String METRICS = "metrics.csv";
    static final String PARAMS = "gated-model.params";
    static final String SPEC = "spec.json";
    static final String TRAINING_SVG = "training.svg";
    static final String LAYERS_SVG = "layers.svg";
    static final int RESULT_FORMAT_VERSION = 1;

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;
    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private JobArtifacts() {}

    /** Latencies of the dense and the pruned model at batch 1 and 100, and both ONNX file sizes. */
    record Measurements(LatencyMeasurement dense1, LatencyMeasurement dense100, LatencyMeasurement pruned1,
            LatencyMeasurement pruned100, long denseOnnxBytes, long prunedOnnxBytes, int warmupRuns,
            KeptInputsModel keptInputs) {}

    /**
     * The pruned network that takes only its kept inputs ({@link #MODEL_KEPT_INPUTS}), with its latency;
     * null when the network does not start by gathering from a flat input.
     */
    record KeptInputsModel(int inputs, LatencyMeasurement batch1, LatencyMeasurement batch100, long onnxBytes) {}

    /**
     * An uploaded model as it came, measured on the worker as the delivered model is.
     *
     * @param testError its error on the run's test split, by ONNX Runtime on the uploaded file
     */
    record OriginalModel(String uri, double testError, long parameters, long flops, LatencyMeasurement batch1,
            LatencyMeasurement batch100, long onnxBytes, List<String> foldedNormalizations) {}

    static byte[] result(Job job, JobDefinition definition, TrainingOptions config, TrainingResult result,
            ResultDocument.Dataset data, Measurements m, DataConventions conventions) {
        return result(job, definition, config, result, data, m, conventions, null);
    }

    /** @param original an uploaded model as it came, measured as the delivered one is; null for none */
    static byte[] result(Job job, JobDefinition definition, TrainingOptions config, TrainingResult result,
            ResultDocument.Dataset data, Measurements m, DataConventions conventions, OriginalModel original) {
        PrunedNetwork pruned = result.pruned();
        PrunedNetwork dense = result.dense();
        ResultDocument.KeptInputsModel keptInputs = m.keptInputs() == null ? null
                : new ResultDocument.KeptInputsModel(MODEL_KEPT_INPUTS, m.keptInputs().inputs(),
                        m.keptInputs().onnxBytes(), latencyPair(m.keptInputs().batch1(), m.keptInputs().batch100()));
        List<String> names = new ArrayList<>(List.of(MODEL, WEIGHTS, METRICS, PARAMS, SPEC, TRAINING_SVG, LAYERS_SVG,
                RESULT));
        if (keptInputs != null) {
            names.add(1, MODEL_KEPT_INPUTS);
        }
        Map<String, String> links = new LinkedHashMap<>();
        for (String name : names) {
            links.put(name, "/v1/jobs/" + job.id() + "/artifacts/" + name);
        }
        ResultDocument document = new ResultDocument(RESULT_FORMAT_VERSION, job.id(), job.name(),
                pruned.architecture(), pruned.layers().stream().flatMap(layer -> layerSummary(layer).stream()).toList(),
                result.prunedTestError(), result.gatedTestError(),
                new ResultDocument.DenseVsPruned(dense.parameterCount(), pruned.parameterCount()),
                new ResultDocument.DenseVsPruned(dense.flops(), pruned.flops()),
                ratio(dense.parameterCount(), pruned.parameterCount()), ratio(dense.flops(), pruned.flops()),
                result.epochsCompleted(), result.stoppedEarly(), result.trainingSeconds(), result.device(),
                config.seed(), ModelSpecJson.write(definition.model()), definition.preset(),
                JobDefinitionJson.writeTraining(definition.training()), data,
                new ResultDocument.Latency("onnxruntime", m.pruned1().threads(), m.warmupRuns(), m.pruned1().runs(),
                        latencyPair(m.dense1(), m.dense100()), latencyPair(m.pruned1(), m.pruned100())),
                new ResultDocument.DenseVsPruned(m.denseOnnxBytes(), m.prunedOnnxBytes()), keptInputs,
                ResultDocument.Budget.of(result.budget()),
                original == null ? null : new ResultDocument.UploadComparison(original.uri(),
                        new ResultDocument.Side(original.testError(), original.parameters(), original.flops(),
                                latencyPair(original.batch1(), original.batch100()), original.onnxBytes()),
                        new ResultDocument.Side(result.prunedTestError(), pruned.parameterCount(), pruned.flops(),
                                latencyPair(m.pruned1(), m.pruned100()), m.prunedOnnxBytes()),
                        original.foldedNormalizations()),
                conventions.preprocessingJson(), links);
        return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(document);
    }

    static byte[] spec(JobDefinition definition) {
        ObjectNode root = NODES.objectNode();
        root.put("formatVersion", 1);
        if (definition.preset() != null) {
            root.put("preset", definition.preset());
        }
        root.set("model", ModelSpecJson.write(definition.model()));
        // the device as the user asked for it (absent: the worker's choice); where it ran is in result.json
        root.set("training", JobDefinitionJson.writeTraining(definition.training()));
        root.set("dataset", JobDefinitionJson.writeDataset(definition.dataset()));
        return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
    }

    /**
     * One row per epoch end. {@code learning_rate} is the rate the epoch's steps used, from {@code training}'s
     * schedule (the trainer sets {@code learningRateAt(epoch − 1)} before epoch {@code epoch}). Columns added
     * later come after the earlier ones, which keep their positions: the learning rate, then the budget's aim and
     * gain.
     */
    static byte[] metricsCsv(List<TrainingProgress> history, TrainingOptions training) {
        StringBuilder csv = new StringBuilder("epoch,step,train_loss,penalty,test_error,expected_l0,expected_flops,"
                + "kept_units,elapsed_seconds,examples_per_second,rss_megabytes,budget_metric,budget_target,"
                + "budget_current_target,budget_expected,budget_deterministic,budget_lambda1,budget_lambda2,"
                + "learning_rate,budget_aim,budget_gain\n");
        for (TrainingProgress p : history) {
            csv.append(String.format(Locale.ROOT, "%d,%d,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s,%s%n", p.epoch(), p.step(),
                    num(p.trainLoss()), num(p.penalty()), num(p.testError()), num(p.expectedL0()),
                    num(p.expectedFlops()),
                    p.keptUnits().stream().map(String::valueOf).collect(Collectors.joining("-")),
                    num(p.elapsedSeconds()), num(p.examplesPerSecond()), num(p.rssMegabytes()), budgetColumns(p),
                    num(training.learningRateAt(p.epoch() - 1)), budgetAimColumns(p)));
        }
        return csv.toString().getBytes(StandardCharsets.UTF_8);
    }

    /** The budget's seven columns; empty ones for a job without a budget. */
    private static String budgetColumns(TrainingProgress p) {
        TrainingProgress.Budget b = p.budget();
        if (b == null) {
            return ",,,,,,";
        }
        return String.join(",", b.metric().field(), num(b.target()), num(b.currentTarget()), num(b.expected()),
                num(b.deterministic()), num(b.lambda1()), num(b.lambda2()));
    }

    /** The budget's aim and gain, after the learning rate so that the earlier columns keep their positions. */
    private static String budgetAimColumns(TrainingProgress p) {
        TrainingProgress.Budget b = p.budget();
        return b == null ? "," : num(b.aim()) + "," + num(b.gain());
    }

    /**
     * The summary of a dense or conv layer; those of a residual block's body and projection in order; nothing for
     * the other layers (batch normalization keeps the channels of the conv before it).
     */
    private static List<ResultDocument.Layer> layerSummary(PrunedLayer layer) {
        return switch (layer) {
            // A dense layer's gates sit on its inputs, so its "units" are the inputs it keeps.
            case PrunedLayer.Dense d -> List.of(new ResultDocument.Layer(d.name(), d.type(), d.gated(), "inputs",
                    d.originalInputs(), d.inputs(), d.keptInputs(), d.units(), null,
                    new ResultDocument.DenseVsPruned(d.originalParameterCount(), d.parameterCount())));
            case PrunedLayer.Conv2d c -> List.of(convSummary(c));
            case PrunedLayer.Residual r -> {
                List<ResultDocument.Layer> inner = new java.util.ArrayList<>();
                r.body().forEach(l -> inner.addAll(layerSummary(l)));
                if (r.projection() != null) {
                    inner.add(convSummary(r.projection()));
                }
                yield inner;
            }
            case PrunedLayer.MaxPool _, PrunedLayer.AvgPool _, PrunedLayer.Relu _, PrunedLayer.Flatten _,
                    PrunedLayer.BatchNorm _, PrunedLayer.GlobalAvgPool _ -> List.of();
        };
    }

    private static ResultDocument.Layer convSummary(PrunedLayer.Conv2d c) {
        return new ResultDocument.Layer(c.name(), c.type(), c.gated(), "filters", c.originalFilters(), c.filters(),
                c.keptFilters(), null, c.inChannels(),
                new ResultDocument.DenseVsPruned(c.originalParameterCount(), c.parameterCount()));
    }

    private static ResultDocument.LatencyPair latencyPair(LatencyMeasurement batch1, LatencyMeasurement batch100) {
        return new ResultDocument.LatencyPair(ResultDocument.LatencyPoint.of(batch1),
                ResultDocument.LatencyPoint.of(batch100));
    }

    private static double ratio(long dense, long pruned) {
        return pruned == 0 ? 0 : dense / (double) pruned;
    }

    private static String num(double value) {
        return Double.isFinite(value) ? Double.toString(value) : "";
    }
}
