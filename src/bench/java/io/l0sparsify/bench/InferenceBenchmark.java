package io.l0sparsify.bench;

import io.l0sparsify.bench.InferenceLatency.Model;
import io.l0sparsify.export.DataConventions;
import io.l0sparsify.export.OnnxExporter;
import io.l0sparsify.export.OnnxRuntimeRunner;
import io.l0sparsify.prune.PrunedNetwork;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.Callable;
import java.util.regex.Pattern;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.util.Statistics;
import org.openjdk.jmh.util.Version;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Inference latency of a dense (unpruned, gates folded) and a pruned network in ONNX Runtime on this CPU,
 * next to the FLOP ratio the pruning promises; the latencies are measured by JMH ({@link InferenceLatency}).
 *
 * <pre>
 * scripts/run-main io.l0sparsify.bench.InferenceBenchmark --dense DIR/weights-dense.json \
 *     --pruned DIR/weights.json --out docs/benchmarks/NAME [--threads N] [--forks 3]
 *     [--warmup-iterations 3] [--iterations 5] [--iteration-ms 1000]
 * </pre>
 *
 * <p>Writes {@code NAME.json} and {@code NAME.md}. Each configuration (batch 1 and 100; 1 thread and
 * {@code --threads}) is one JMH run over the models, each in {@code --forks} fresh JVMs (0: in this one, for a
 * quick check), sampling the time of every call. A trivial model of the same input and output shape (one input,
 * one Gemm) measures the fixed per-call cost of ONNX Runtime's Java API, which no pruning can remove.
 */
@Command(name = "InferenceBenchmark", mixinStandardHelpOptions = true,
        description = "ONNX Runtime latency of a dense and a pruned network (JMH), written to OUT.json and OUT.md")
public final class InferenceBenchmark implements Callable<Integer> {

    private static final int AGREEMENT_INPUTS = 100;

    @Spec
    CommandSpec spec;

    @Option(names = "--dense", required = true, description = "weights.json of the dense network (gates folded)")
    Path dense;

    @Option(names = "--pruned", required = true, description = "weights.json of the pruned network")
    Path pruned;

    @Option(names = "--out", required = true, description = "report path without extension")
    Path out;

    @Option(names = "--threads", description = "intra-op threads besides 1 (default: available processors)")
    int threads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--forks", defaultValue = "3", description = "JVMs per model and configuration (0: this one)")
    int forks;

    @Option(names = "--warmup-iterations", defaultValue = "3")
    int warmupIterations;

    @Option(names = "--iterations", defaultValue = "5", description = "measured iterations per fork")
    int iterations;

    @Option(names = "--iteration-ms", defaultValue = "1000", description = "length of one iteration")
    int iterationMillis;

    public static void main(String[] args) {
        System.exit(new CommandLine(new InferenceBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws IOException, RunnerException {
        Settings settings = new Settings(dense, pruned, out, positive("--threads", threads),
                atLeastZero("--forks", forks), atLeastZero("--warmup-iterations", warmupIterations),
                positive("--iterations", iterations), positive("--iteration-ms", iterationMillis));
        Report report = run(settings);
        Path json = Path.of(out + ".json");
        Path markdown = Path.of(out + ".md");
        if (json.toAbsolutePath().getParent() != null) {
            Files.createDirectories(json.toAbsolutePath().getParent());
        }
        Files.write(json, JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build()
                .writeValueAsBytes(report));
        Files.writeString(markdown, markdown(report), StandardCharsets.UTF_8);
        System.out.println(report.summary());
        System.out.println("wrote " + json + " and " + markdown);
        return 0;
    }

    private int positive(String option, int value) {
        if (value < 1) {
            throw new ParameterException(spec.commandLine(), option + " must be positive, found " + value);
        }
        return value;
    }

    private int atLeastZero(String option, int value) {
        if (value < 0) {
            throw new ParameterException(spec.commandLine(), option + " must not be negative, found " + value);
        }
        return value;
    }

    /** What to measure and how, as given on the command line. */
    record Settings(Path dense, Path pruned, Path out, int threads, int forks, int warmupIterations,
            int iterations, int iterationMillis) {}

    static Report run(Settings settings) throws IOException, RunnerException {
        PrunedNetwork dense = InferenceLatency.read(settings.dense.toString());
        PrunedNetwork pruned = InferenceLatency.read(settings.pruned.toString());
        if (!dense.inputShape().equals(pruned.inputShape()) || dense.numClasses() != pruned.numClasses()) {
            throw new IllegalArgumentException("the networks differ in input shape or classes: "
                    + dense.inputShape() + " → " + dense.numClasses() + " vs " + pruned.inputShape() + " → "
                    + pruned.numClasses());
        }
        DataConventions conventions = InferenceLatency.conventions(settings.pruned.toString());
        byte[] denseModel = OnnxExporter.export(dense, "dense", conventions);
        byte[] prunedModel = OnnxExporter.export(pruned, "pruned", conventions);
        boolean keptInputs = pruned.keptInputsOnly().isPresent();
        List<Model> atBatch100 = keptInputs ? List.of(Model.DENSE, Model.PRUNED, Model.PRUNED_KEPT_INPUTS)
                : List.of(Model.DENSE, Model.PRUNED);
        List<Model> atBatch1 = new ArrayList<>(atBatch100);
        // The fixed per-call cost is measured at batch 1, where the floor model's own work is negligible.
        atBatch1.add(Model.FLOOR);

        Agreement agreement = agreement(dense, denseModel, prunedModel);
        List<Config> configs = new ArrayList<>();
        for (int threads : new TreeSet<>(List.of(1, settings.threads))) {
            Map<Model, Latency> single = measure(settings, 1, threads, atBatch1);
            configs.add(Config.of(1, threads, single, single.get(Model.FLOOR)));
            configs.add(Config.of(100, threads, measure(settings, 100, threads, atBatch100),
                    single.get(Model.FLOOR)));
        }
        ModelInfo denseInfo = ModelInfo.of(settings.dense, dense, denseModel);
        ModelInfo prunedInfo = ModelInfo.of(settings.pruned, pruned, prunedModel);
        double flopRatio = (double) dense.flops() / pruned.flops();
        Machine machine = new Machine(Runtime.getRuntime().availableProcessors(), System.getProperty("os.name"),
                System.getProperty("os.arch"), System.getProperty("java.version"),
                OnnxRuntimeRunner.onnxRuntimeVersion());
        Measurement measurement = new Measurement("JMH " + Version.getPlainVersion(), "sample time", settings.forks,
                settings.warmupIterations, settings.iterations, settings.iterationMillis);
        String name = settings.out.getFileName().toString();
        return new Report(name, Instant.now().toString(), machine, measurement, denseInfo, prunedInfo, flopRatio,
                (double) dense.parameterCount() / pruned.parameterCount(),
                (double) denseModel.length / prunedModel.length, agreement, configs,
                summary(dense, pruned, configs));
    }

    /** One JMH run: the latency of each of {@code models} at one batch size and thread count. */
    private static Map<Model, Latency> measure(Settings settings, int batch, int threads, List<Model> models)
            throws RunnerException {
        TimeValue iteration = TimeValue.milliseconds(settings.iterationMillis);
        OptionsBuilder options = new OptionsBuilder();
        options.include("^" + Pattern.quote(InferenceLatency.class.getName()) + "\\.")
                .param("dense", settings.dense.toAbsolutePath().toString())
                .param("pruned", settings.pruned.toAbsolutePath().toString())
                .param("model", models.stream().map(Model::name).toArray(String[]::new))
                .param("batch", Integer.toString(batch))
                .param("threads", Integer.toString(threads))
                .forks(settings.forks)
                .warmupIterations(settings.warmupIterations)
                .warmupTime(iteration)
                .measurementIterations(settings.iterations)
                .measurementTime(iteration)
                .shouldFailOnError(true);
        Map<Model, Latency> latencies = new EnumMap<>(Model.class);
        for (RunResult result : new Runner(options.build()).run()) {
            latencies.put(Model.valueOf(result.getParams().getParam("model")), Latency.of(result));
        }
        return latencies;
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
        md.append("\nLatency per call, median of all sampled calls (p90 in brackets), µs:\n\n");
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
        Measurement m = r.measurement;
        md.append(String.format(Locale.ROOT, "How measured: each model is exported to ONNX (opset %d) from its"
                + " weights.json and timed by %s (%s: the time of every call) with one reused session and input"
                + " tensor (random values in [0, 1)), in %d fork(s) per model and configuration of %d warm-up and"
                + " %d measured iterations of %d ms. The fixed per-call cost is measured at batch 1 on a"
                + " model with one input value per example and one Gemm. FLOPs count the multiply-adds of dense"
                + " and conv layers as the reference implementation does. Sources: `%s` and `%s`.%n",
                OnnxExporter.OPSET, m.harness, m.mode, m.forks, m.warmupIterations, m.iterations,
                m.iterationMillis, r.dense.source, r.pruned.source));
        return md.toString();
    }

    private static String row(String label, String dense, String pruned, String ratio) {
        return "| " + label + " | " + dense + " | " + pruned + " | " + ratio + " |\n";
    }

    private static String fmt(double value) {
        return String.format(Locale.ROOT, "%.2f", value);
    }

    record Report(String name, String createdAt, Machine machine, Measurement measurement, ModelInfo dense,
            ModelInfo pruned, double flopRatio, double parameterRatio, double sizeRatio, Agreement agreement,
            List<Config> latency, String summary) {}

    record Machine(int availableProcessors, String osName, String osArch, String javaVersion,
            String onnxRuntime) {}

    /** How JMH measured: forks per model and configuration, iterations per fork and their length. */
    record Measurement(String harness, String mode, int forks, int warmupIterations, int iterations,
            int iterationMillis) {}

    record ModelInfo(String source, String architecture, long parameters, long flops, long onnxBytes) {

        static ModelInfo of(Path source, PrunedNetwork network, byte[] model) {
            return new ModelInfo(source.toString(), network.architecture(), network.parameterCount(),
                    network.flops(), model.length);
        }
    }

    record Agreement(int inputs, double maxAbsLogitDifference, int sameClass) {}

    /**
     * One batch size and thread count; speed-ups are dense / pruned median latency. {@code prunedCompactInput}
     * is null where the pruned network has no kept-input form.
     */
    record Config(int batchSize, int threads, Latency dense, Latency pruned, Latency fixedCost,
            Latency prunedCompactInput, double speedup, double speedupBeyondFloor) {

        static Config of(int batch, int threads, Map<Model, Latency> latencies, Latency fixedCost) {
            Latency d = latencies.get(Model.DENSE);
            Latency p = latencies.get(Model.PRUNED);
            double beyondFloor = (d.medianMicros - fixedCost.medianMicros)
                    / Math.max(p.medianMicros - fixedCost.medianMicros, 1e-9);
            return new Config(batch, threads, d, p, fixedCost, latencies.get(Model.PRUNED_KEPT_INPUTS),
                    d.medianMicros / p.medianMicros, beyondFloor);
        }
    }

    /** Median and p90 of every sampled call over all forks, with each fork's median. */
    record Latency(double medianMicros, double p90Micros, List<Double> forkMedians) {

        static Latency of(RunResult result) {
            Statistics all = result.getPrimaryResult().getStatistics();
            List<Double> forks = result.getBenchmarkResults().stream()
                    .map(fork -> fork.getPrimaryResult().getStatistics().getPercentile(50)).toList();
            return new Latency(all.getPercentile(50), all.getPercentile(90), forks);
        }
    }
}
