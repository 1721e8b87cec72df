package io.l0sparsify.bench;

import io.l0sparsify.export.LatencyMeasurement;
import io.l0sparsify.export.OnnxExporter;
import io.l0sparsify.export.OnnxRuntimeRunner;
import io.l0sparsify.export.WeightsJson;
import io.l0sparsify.prune.PrunedLayer;
import io.l0sparsify.prune.PrunedNetwork;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.stream.IntStream;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Inference latency of a dense (unpruned, gates folded) and a pruned network in ONNX Runtime on this CPU,
 * next to the FLOP ratio the pruning promises.
 *
 * <pre>
 * scripts/run-main io.l0sparsify.bench.InferenceBenchmark --dense DIR/weights-dense.json \
 *     --pruned DIR/weights.json --out docs/benchmarks/NAME [--threads N] [--rounds R]
 *     [--warmup1 200] [--runs1 2000] [--warmup100 50] [--runs100 300]
 * </pre>
 *
 * <p>Writes {@code NAME.json} and {@code NAME.md}. Each configuration (batch 1 and 100; 1 thread and
 * {@code --threads}) is measured in R rounds; within a round the dense and the pruned model run one after
 * the other, in alternating order, each in a fresh session, so that a change in machine load during the
 * run hits both. A trivial model of the same input and output shape (one input, one Gemm) measures the
 * fixed per-call cost of ONNX Runtime's Java API, which no pruning can remove.
 */
public final class InferenceBenchmark {

    private static final int AGREEMENT_INPUTS = 100;

    private InferenceBenchmark() {}

    public static void main(String[] args) throws IOException {
        Options options;
        try {
            options = Options.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.err.println("usage: InferenceBenchmark --dense weights-dense.json --pruned weights.json"
                    + " --out docs/benchmarks/NAME [--threads N] [--rounds R] [--warmup1 N] [--runs1 N]"
                    + " [--warmup100 N] [--runs100 N]");
            System.exit(2);
            return;
        }
        Report report = run(options);
        Path json = Path.of(options.out + ".json");
        Path markdown = Path.of(options.out + ".md");
        if (json.getParent() != null) {
            Files.createDirectories(json.getParent());
        }
        Files.write(json, JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build()
                .writeValueAsBytes(report));
        Files.writeString(markdown, markdown(report), StandardCharsets.UTF_8);
        System.out.println(report.summary());
        System.out.println("wrote " + json + " and " + markdown);
    }

    static Report run(Options options) throws IOException {
        PrunedNetwork dense = WeightsJson.read(Files.readAllBytes(options.dense));
        PrunedNetwork pruned = WeightsJson.read(Files.readAllBytes(options.pruned));
        if (!dense.inputShape().equals(pruned.inputShape()) || dense.numClasses() != pruned.numClasses()) {
            throw new IllegalArgumentException("the networks differ in input shape or classes: "
                    + dense.inputShape() + " → " + dense.numClasses() + " vs " + pruned.inputShape() + " → "
                    + pruned.numClasses());
        }
        byte[] denseModel = OnnxExporter.export(dense, "dense");
        byte[] prunedModel = OnnxExporter.export(pruned, "pruned");
        byte[] floorModel = OnnxExporter.export(floorNetwork(dense), "floor");
        byte[] compactModel = pruned.keptInputsOnly().map(n -> OnnxExporter.export(n, "pruned-compact")).orElse(null);

        Agreement agreement = agreement(dense, denseModel, prunedModel);
        List<Config> configs = new ArrayList<>();
        for (int threads : new TreeSet<>(List.of(1, options.threads))) {
            Config single = measure(denseModel, prunedModel, floorModel, null, compactModel, 1, threads,
                    options.warmup1, options.runs1, options.rounds);
            configs.add(single);
            configs.add(measure(denseModel, prunedModel, null, single.fixedCost, compactModel, 100, threads,
                    options.warmup100, options.runs100, options.rounds));
        }
        ModelInfo denseInfo = ModelInfo.of(options.dense, dense, denseModel);
        ModelInfo prunedInfo = ModelInfo.of(options.pruned, pruned, prunedModel);
        double flopRatio = (double) dense.flops() / pruned.flops();
        Machine machine = new Machine(Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
                System.getProperty("os.arch"), System.getProperty("java.version"),
                OnnxRuntimeRunner.onnxRuntimeVersion());
        String name = options.out.getFileName().toString();
        return new Report(name, Instant.now().toString(), machine, denseInfo, prunedInfo, flopRatio,
                (double) dense.parameterCount() / pruned.parameterCount(),
                (double) denseModel.length / prunedModel.length, agreement, configs,
                summary(dense, pruned, configs));
    }

    /**
     * Latency of the models at one batch size and thread count: the median over rounds of each round's
     * median. The fixed per-call cost is measured on {@code floorModel} when given, else taken as
     * {@code fixedCost} (measured at batch 1, where the floor model's own work is negligible).
     */
    private static Config measure(byte[] denseModel, byte[] prunedModel, byte[] floorModel, Latency fixedCost,
            byte[] compactModel, int batch, int threads, int warmup, int runs, int rounds) {
        List<LatencyMeasurement> dense = new ArrayList<>();
        List<LatencyMeasurement> pruned = new ArrayList<>();
        List<LatencyMeasurement> floor = new ArrayList<>();
        List<LatencyMeasurement> compact = new ArrayList<>();
        for (int round = 0; round < rounds; round++) {
            if (round % 2 == 0) {
                dense.add(OnnxRuntimeRunner.measureLatency(denseModel, batch, threads, warmup, runs));
                pruned.add(OnnxRuntimeRunner.measureLatency(prunedModel, batch, threads, warmup, runs));
            } else {
                pruned.add(OnnxRuntimeRunner.measureLatency(prunedModel, batch, threads, warmup, runs));
                dense.add(OnnxRuntimeRunner.measureLatency(denseModel, batch, threads, warmup, runs));
            }
            if (floorModel != null) {
                floor.add(OnnxRuntimeRunner.measureLatency(floorModel, batch, threads, warmup, runs));
            }
            if (compactModel != null) {
                compact.add(OnnxRuntimeRunner.measureLatency(compactModel, batch, threads, warmup, runs));
            }
            System.err.printf(Locale.ROOT, "batch %d, %d thread(s), round %d: dense %.1f µs, pruned %.1f µs%n",
                    batch, threads, round + 1, last(dense).medianMicros(), last(pruned).medianMicros());
        }
        Latency d = Latency.of(dense);
        Latency p = Latency.of(pruned);
        Latency f = floorModel != null ? Latency.of(floor) : fixedCost;
        double speedup = d.medianMicros / p.medianMicros;
        double beyondFloor = (d.medianMicros - f.medianMicros) / Math.max(p.medianMicros - f.medianMicros, 1e-9);
        Latency c = compact.isEmpty() ? null : Latency.of(compact);
        return new Config(batch, threads, warmup, runs, rounds, d, p, f, c, speedup, beyondFloor);
    }

    private static LatencyMeasurement last(List<LatencyMeasurement> list) {
        return list.get(list.size() - 1);
    }

    /**
     * The smallest network with the same input and output: one input value per example feeds one Gemm.
     * Its latency at batch 1 is the per-call cost that does not depend on the network's size.
     */
    static PrunedNetwork floorNetwork(PrunedNetwork like) {
        int inputs = like.inputShape().stream().mapToInt(Integer::intValue).reduce(1, Math::multiplyExact);
        int classes = like.numClasses();
        PrunedLayer.Dense only = new PrunedLayer.Dense("floor", false, inputs, classes, new int[] {0},
                IntStream.range(0, classes).toArray(), new int[] {0}, new float[classes], new float[classes]);
        return new PrunedNetwork(like.inputShape(), List.of(only), classes);
    }

    /** How far the dense and pruned ONNX models agree on random inputs in [0, 1). */
    private static Agreement agreement(PrunedNetwork network, byte[] denseModel, byte[] prunedModel) {
        int size = network.inputShape().stream().mapToInt(Integer::intValue).reduce(1, Math::multiplyExact);
        float[] inputs = new float[AGREEMENT_INPUTS * size];
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = (float) random.nextDouble();
        }
        float[][] d = OnnxRuntimeRunner.run(denseModel, inputs, AGREEMENT_INPUTS);
        float[][] p = OnnxRuntimeRunner.run(prunedModel, inputs, AGREEMENT_INPUTS);
        double max = 0;
        int same = 0;
        for (int i = 0; i < AGREEMENT_INPUTS; i++) {
            for (int j = 0; j < d[i].length; j++) {
                max = Math.max(max, Math.abs(d[i][j] - p[i][j]));
            }
            same += argmax(d[i]) == argmax(p[i]) ? 1 : 0;
        }
        return new Agreement(AGREEMENT_INPUTS, max, same);
    }

    private static int argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    static String summary(PrunedNetwork dense, PrunedNetwork pruned, List<Config> configs) {
        double flopRatio = (double) dense.flops() / pruned.flops();
        StringBuilder text = new StringBuilder(String.format(Locale.ROOT,
                "The pruned network (%s) needs %.2f× fewer FLOPs than the dense one (%s).",
                pruned.architecture(), flopRatio, dense.architecture()));
        for (int threads : configs.stream().map(Config::threads).distinct().toList()) {
            Config b1 = find(configs, 1, threads);
            Config b100 = find(configs, 100, threads);
            text.append(String.format(Locale.ROOT, " With %d thread%s it runs %.2f× faster at batch 1 and %.2f×"
                    + " at batch 100, %.0f %% and %.0f %% of that ratio.", threads, threads == 1 ? "" : "s",
                    b1.speedup, b100.speedup, 100 * b1.speedup / flopRatio, 100 * b100.speedup / flopRatio));
        }
        Config b1 = find(configs, 1, 1);
        text.append(String.format(Locale.ROOT, " At batch 1 a fixed per-call cost of %.1f µs (measured on a"
                + " one-Gemm model of the same input and output) is %.0f %% of the pruned model's %.1f µs;"
                + " beyond that cost the speed-up is %.2f×.", b1.fixedCost.medianMicros,
                100 * b1.fixedCost.medianMicros / b1.pruned.medianMicros, b1.pruned.medianMicros,
                b1.speedupBeyondFloor));
        Config b100 = find(configs, 100, 1);
        text.append(String.format(Locale.ROOT, " At batch 100 that cost is %.0f %% of the pruned model's time.",
                100 * b100.fixedCost.medianMicros / b100.pruned.medianMicros));
        Latency compute = b100.pruned;
        if (b100.prunedCompactInput != null) {
            compute = b100.prunedCompactInput;
            double compactSpeedup = b100.dense.medianMicros / compute.medianMicros;
            text.append(String.format(Locale.ROOT, " Selecting the kept inputs (Transpose and Gather, work the"
                    + " FLOP count leaves out) takes %.1f of its %.1f µs: fed only its kept inputs it runs in"
                    + " %.1f µs, %.2f× faster than dense (%.0f %% of the FLOP ratio).",
                    b100.pruned.medianMicros - compute.medianMicros, b100.pruned.medianMicros,
                    compute.medianMicros, compactSpeedup, 100 * compactSpeedup / flopRatio));
        }
        double denseRate = dense.flops() * 100.0 / b100.dense.medianMicros / 1000;
        double prunedRate = pruned.flops() * 100.0 / compute.medianMicros / 1000;
        text.append(String.format(Locale.ROOT, " The dense model computes %.1f GFLOP/s and the pruned one %.1f"
                + " GFLOP/s%s", denseRate, prunedRate, prunedRate < 0.95 * denseRate
                        ? ": its smaller matrices run at lower throughput, so time falls more slowly than FLOPs."
                        : ", so time falls as fast as FLOPs."));
        return text.toString();
    }

    private static Config find(List<Config> configs, int batch, int threads) {
        return configs.stream().filter(c -> c.batchSize == batch && c.threads == threads).findFirst()
                .orElseThrow();
    }

    static String markdown(Report r) {
        StringBuilder md = new StringBuilder();
        md.append("# Inference benchmark: ").append(r.name).append("\n\n");
        md.append("Dense (unpruned, gates folded) versus pruned network in ONNX Runtime ")
                .append(r.machine.onnxRuntime).append(" on ").append(r.machine.availableProcessors)
                .append(" available CPU cores (").append(r.machine.osName).append(' ').append(r.machine.osArch)
                .append(", Java ").append(r.machine.javaVersion).append("), measured ").append(r.createdAt)
                .append(".\n\n");
        md.append("| | dense | pruned | ratio |\n|---|---:|---:|---:|\n");
        md.append(row("architecture", r.dense.architecture, r.pruned.architecture, ""));
        md.append(row("parameters", Long.toString(r.dense.parameters), Long.toString(r.pruned.parameters),
                fmt(r.parameterRatio) + "×"));
        md.append(row("FLOPs per example", Long.toString(r.dense.flops), Long.toString(r.pruned.flops),
                fmt(r.flopRatio) + "×"));
        md.append(row("ONNX file (bytes)", Long.toString(r.dense.onnxBytes), Long.toString(r.pruned.onnxBytes),
                fmt(r.sizeRatio) + "×"));
        md.append("\nLatency per call, median of the rounds' medians (p90 in brackets), µs:\n\n");
        boolean compact = r.latency.get(0).prunedCompactInput != null;
        md.append("| batch | threads | dense | pruned | speed-up | of FLOP ratio | fixed per-call cost"
                + " | speed-up beyond that cost |" + (compact ? " pruned, kept inputs only |" : "")
                + "\n|---:|---:|---:|---:|---:|---:|---:|---:|" + (compact ? "---:|" : "") + "\n");
        for (Config c : r.latency) {
            md.append(String.format(Locale.ROOT,
                    "| %d | %d | %.1f (%.1f) | %.1f (%.1f) | %.2f× | %.0f %% | %.1f | %.2f× |", c.batchSize,
                    c.threads, c.dense.medianMicros, c.dense.p90Micros, c.pruned.medianMicros, c.pruned.p90Micros,
                    c.speedup, 100 * c.speedup / r.flopRatio, c.fixedCost.medianMicros, c.speedupBeyondFloor));
            if (compact) {
                md.append(String.format(Locale.ROOT, " %.1f (%.1f) |", c.prunedCompactInput.medianMicros,
                        c.prunedCompactInput.p90Micros));
            }
            md.append('\n');
        }
        md.append("\n").append(r.summary).append("\n\n");
        md.append(String.format(Locale.ROOT, "On %d random inputs the two models' logits differ by at most %.2g"
                + " and their predicted classes agree on %d.%n%n", r.agreement.inputs,
                r.agreement.maxAbsLogitDifference, r.agreement.sameClass));
        Config b1 = find(r.latency, 1, 1);
        Config b100 = find(r.latency, 100, 1);
        md.append(String.format(Locale.ROOT, "How measured: each model is exported to ONNX (opset %d) from its"
                + " weights.json and timed with one reused session and input tensor (random values in [0, 1));"
                + " batch 1: %d warm-up and %d timed calls, batch 100: %d and %d, in each of %d rounds that"
                + " alternate the order of dense and pruned. The fixed per-call cost is measured at batch 1 on a"
                + " model with one input value per example and one Gemm. FLOPs count the multiply-adds of dense"
                + " and conv layers as the reference implementation does. Sources: `%s` and `%s`.%n",
                OnnxExporter.OPSET, b1.warmupRuns, b1.timedRuns, b100.warmupRuns, b100.timedRuns, b1.rounds,
                r.dense.source, r.pruned.source));
        return md.toString();
    }

    private static String row(String label, String dense, String pruned, String ratio) {
        return "| " + label + " | " + dense + " | " + pruned + " | " + ratio + " |\n";
    }

    private static String fmt(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }

    record Options(Path dense, Path pruned, Path out, int threads, int rounds, int warmup1, int runs1,
            int warmup100, int runs100) {

        static Options parse(String[] args) {
            Map<String, String> values = new LinkedHashMap<>();
            for (int i = 0; i < args.length; i += 2) {
                if (!args[i].startsWith("--") || i + 1 >= args.length) {
                    throw new IllegalArgumentException("expected --option value pairs, found " + Arrays.toString(args));
                }
                values.put(args[i].substring(2), args[i + 1]);
            }
            for (String required : List.of("dense", "pruned", "out")) {
                if (!values.containsKey(required)) {
                    throw new IllegalArgumentException("--" + required + " is required");
                }
            }
            Options options = new Options(Path.of(values.remove("dense")), Path.of(values.remove("pruned")),
                    Path.of(values.remove("out")),
                    positive(values, "threads", Runtime.getRuntime().availableProcessors()),
                    positive(values, "rounds", 3), positive(values, "warmup1", 200),
                    positive(values, "runs1", 2000), positive(values, "warmup100", 50),
                    positive(values, "runs100", 300));
            if (!values.isEmpty()) {
                throw new IllegalArgumentException("unknown options " + values.keySet());
            }
            return options;
        }

        private static int positive(Map<String, String> values, String key, int defaultValue) {
            String value = values.remove(key);
            if (value == null) {
                return defaultValue;
            }
            try {
                int parsed = Integer.parseInt(value);
                if (parsed > 0) {
                    return parsed;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new IllegalArgumentException("--" + key + " must be a positive integer, found " + value);
        }
    }

    record Report(String name, String createdAt, Machine machine, ModelInfo dense, ModelInfo pruned,
            double flopRatio, double parameterRatio, double sizeRatio, Agreement agreement, List<Config> latency,
            String summary) {}

    record Machine(int availableProcessors, String osName, String osArch, String javaVersion,
            String onnxRuntime) {}

    record ModelInfo(String source, String architecture, long parameters, long flops, long onnxBytes) {

        static ModelInfo of(Path source, PrunedNetwork network, byte[] model) {
            return new ModelInfo(source.toString(), network.architecture(), network.parameterCount(),
                    network.flops(), model.length);
        }
    }

    record Agreement(int inputs, double maxAbsLogitDifference, int sameClass) {}

    /** One batch size and thread count; speed-ups are dense / pruned median latency. */
    record Config(int batchSize, int threads, int warmupRuns, int timedRuns, int rounds, Latency dense,
            Latency pruned, Latency fixedCost, Latency prunedCompactInput, double speedup,
            double speedupBeyondFloor) {}

    /** Median over rounds of the per-round median and p90, with the per-round medians. */
    record Latency(double medianMicros, double p90Micros, List<Double> roundMedians) {

        static Latency of(List<LatencyMeasurement> rounds) {
            double[] medians = rounds.stream().mapToDouble(LatencyMeasurement::medianMicros).toArray();
            double[] p90s = rounds.stream().mapToDouble(LatencyMeasurement::p90Micros).toArray();
            return new Latency(median(medians), median(p90s), Arrays.stream(medians).boxed().toList());
        }

        private static double median(double[] values) {
            double[] sorted = values.clone();
            Arrays.sort(sorted);
            int mid = sorted.length / 2;
            return sorted.length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        }
    }
}
