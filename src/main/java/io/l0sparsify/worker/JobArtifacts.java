package io.l0sparsify.worker;

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
import java.util.List;
import java.util.Locale;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * The documents of a finished job besides the exporter's files: result.json (what {@code GET .../result}
 * returns), metrics.csv (one row per epoch) and spec.json (what is needed to rerun or fine-tune the job).
 */
final class JobArtifacts {

    static final String MODEL = "model.onnx";
    static final String MODEL_KEPT_INPUTS = "model-kept-inputs.onnx";
    static final String WEIGHTS = "weights.json";
    static final String RESULT = "result.json";
    static final String METRICS = "metrics.csv";
    static final String PARAMS = "gated-model.params";
    static final String SPEC = "spec.json";
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

    /** Where the data came from, as counted after any configured subsetting. */
    record DataSummary(String uri, int trainExamples, int testExamples) {}

    static byte[] result(Job job, JobDefinition definition, TrainingOptions config, TrainingResult result,
            DataSummary data, Measurements m) {
        ObjectNode root = NODES.objectNode();
        root.put("formatVersion", RESULT_FORMAT_VERSION);
        root.put("jobId", job.id());
        if (job.name() != null) {
            root.put("name", job.name());
        }
        PrunedNetwork pruned = result.pruned();
        PrunedNetwork dense = result.dense();
        root.put("architecture", pruned.architecture());
        ArrayNode layers = root.putArray("layers");
        for (PrunedLayer layer : pruned.layers()) {
            ObjectNode node = layerSummary(layer);
            if (node != null) {
                layers.add(node);
            }
        }
        root.put("testError", result.prunedTestError());
        root.put("gatedTestError", result.gatedTestError());
        ObjectNode parameters = root.putObject("parameters");
        parameters.put("dense", dense.parameterCount());
        parameters.put("pruned", pruned.parameterCount());
        ObjectNode flops = root.putObject("flops");
        flops.put("dense", dense.flops());
        flops.put("pruned", pruned.flops());
        root.put("compressionRatio", ratio(dense.parameterCount(), pruned.parameterCount()));
        root.put("flopReduction", ratio(dense.flops(), pruned.flops()));
        root.put("epochsCompleted", result.epochsCompleted());
        root.put("stoppedEarly", result.stoppedEarly());
        root.put("trainingSeconds", result.trainingSeconds());
        root.put("device", result.device());
        root.put("seed", config.seed());
        root.set("model", ModelSpecJson.write(definition.model()));
        if (definition.preset() != null) {
            root.put("preset", definition.preset());
        }
        root.set("training", JobDefinitionJson.writeTraining(definition.training()));
        ObjectNode dataset = root.putObject("dataset");
        dataset.put("uri", data.uri());
        dataset.put("trainExamples", data.trainExamples());
        dataset.put("testExamples", data.testExamples());
        ObjectNode latency = root.putObject("latency");
        latency.put("runtime", "onnxruntime");
        latency.put("threads", m.pruned1().threads());
        latency.put("warmupRuns", m.warmupRuns());
        latency.put("runs", m.pruned1().runs());
        latency.set("dense", latencyPair(m.dense1(), m.dense100()));
        latency.set("pruned", latencyPair(m.pruned1(), m.pruned100()));
        ObjectNode sizes = root.putObject("onnxFileBytes");
        sizes.put("dense", m.denseOnnxBytes());
        sizes.put("pruned", m.prunedOnnxBytes());
        List<String> names = new java.util.ArrayList<>(List.of(MODEL, WEIGHTS, METRICS, PARAMS, SPEC, RESULT));
        if (m.keptInputs() != null) {
            ObjectNode kept = root.putObject("keptInputsModel");
            kept.put("artifact", MODEL_KEPT_INPUTS);
            kept.put("inputs", m.keptInputs().inputs());
            kept.put("onnxFileBytes", m.keptInputs().onnxBytes());
            kept.set("latency", latencyPair(m.keptInputs().batch1(), m.keptInputs().batch100()));
            names.add(1, MODEL_KEPT_INPUTS);
        }
        ObjectNode links = root.putObject("artifacts");
        for (String name : names) {
            links.put(name, "/v1/jobs/" + job.id() + "/artifacts/" + name);
        }
        return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
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
        root.putObject("dataset").put("uri", definition.datasetUri());
        return MAPPER.writerWithDefaultPrettyPrinter().writeValueAsBytes(root);
    }

    static byte[] metricsCsv(List<TrainingProgress> history) {
        StringBuilder csv = new StringBuilder("epoch,step,train_loss,penalty,test_error,expected_l0,expected_flops,"
                + "kept_units,elapsed_seconds,examples_per_second,rss_megabytes\n");
        for (TrainingProgress p : history) {
            csv.append(String.format(Locale.ROOT, "%d,%d,%s,%s,%s,%s,%s,%s,%s,%s,%s%n", p.epoch(), p.step(),
                    num(p.trainLoss()), num(p.penalty()), num(p.testError()), num(p.expectedL0()),
                    num(p.expectedFlops()),
                    p.keptUnits().stream().map(String::valueOf).collect(Collectors.joining("-")),
                    num(p.elapsedSeconds()), num(p.examplesPerSecond()), num(p.rssMegabytes())));
        }
        return csv.toString().getBytes(StandardCharsets.UTF_8);
    }

    private static ObjectNode layerSummary(PrunedLayer layer) {
        ObjectNode node = NODES.objectNode();
        node.put("name", layer.name());
        if (layer instanceof PrunedLayer.Dense d) {
            // A dense layer's gates sit on its inputs, so its "units" are the inputs it keeps.
            node.put("type", "dense");
            node.put("gated", d.gated());
            node.put("unitKind", "inputs");
            node.put("originalUnits", d.originalInputs());
            node.put("keptUnits", d.inputs());
            node.set("keptIndices", indices(d.keptInputs()));
            node.put("outputs", d.units());
            parameters(node, d.originalParameterCount(), d.parameterCount());
        } else if (layer instanceof PrunedLayer.Conv2d c) {
            node.put("type", "conv2d");
            node.put("gated", c.gated());
            node.put("unitKind", "filters");
            node.put("originalUnits", c.originalFilters());
            node.put("keptUnits", c.filters());
            node.set("keptIndices", indices(c.keptFilters()));
            node.put("inputChannels", c.inChannels());
            parameters(node, c.originalParameterCount(), c.parameterCount());
        } else {
            return null;
        }
        return node;
    }

    private static void parameters(ObjectNode node, long dense, long pruned) {
        ObjectNode parameters = node.putObject("parameters");
        parameters.put("dense", dense);
        parameters.put("pruned", pruned);
    }

    private static ArrayNode indices(int[] values) {
        ArrayNode array = NODES.arrayNode();
        IntStream.of(values).forEach(array::add);
        return array;
    }

    private static ObjectNode latencyPair(LatencyMeasurement batch1, LatencyMeasurement batch100) {
        ObjectNode node = NODES.objectNode();
        node.set("batch1", latency(batch1));
        node.set("batch100", latency(batch100));
        return node;
    }

    private static ObjectNode latency(LatencyMeasurement m) {
        ObjectNode node = NODES.objectNode();
        node.put("batchSize", m.batchSize());
        node.put("medianMicros", m.medianMicros());
        node.put("p90Micros", m.p90Micros());
        return node;
    }

    private static double ratio(long dense, long pruned) {
        return pruned == 0 ? 0 : dense / (double) pruned;
    }

    private static String num(double value) {
        return Double.isFinite(value) ? Double.toString(value) : "";
    }
}
