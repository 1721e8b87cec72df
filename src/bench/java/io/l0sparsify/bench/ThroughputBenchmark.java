package io.l0sparsify.bench;

import io.l0sparsify.dataset.TrainingData;
import io.l0sparsify.l0.L0Trainer;
import io.l0sparsify.l0.RunListener;
import io.l0sparsify.l0.TrainingControl;
import io.l0sparsify.l0.TrainingOptions;
import io.l0sparsify.l0.TrainingProgress;
import io.l0sparsify.spec.ModelSpec;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Training throughput at batch 100: runs {@code --steps} optimizer steps of a preset on MNIST with the
 * paper's settings and {@code --threads} intra-op threads, discards the first 100 steps as warm-up, and
 * appends one JSON line to {@code --out}: examples/s over the timed steps, test passes excluded, counted two ways:
 * {@code examplesPerSecond} times the training steps alone (what the trainer reports), {@code wallExamplesPerSecond}
 * the whole loop between the first and the last report after the warm-up (minibatch preparation and the reports'
 * gate metrics included), the figure to hold against a training loop timed from outside its steps. The run stops
 * after {@code --steps}. One JVM per thread count, since PyTorch reads it once:
 *
 * <pre>
 * scripts/run-main io.l0sparsify.bench.ThroughputBenchmark --preset mlp --threads 1 --steps 1200 \
 *     --data data/datasets/mnist --out docs/benchmarks/throughput.jsonl
 * </pre>
 */
@Command(name = "ThroughputBenchmark", mixinStandardHelpOptions = true,
        description = "Training examples/s at batch 100, appended as one JSON line to --out")
public final class ThroughputBenchmark implements Callable<Integer> {

    private static final int WARMUP_STEPS = 100;
    private static final int REPORT_EVERY = 50;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Spec
    CommandSpec spec;

    @Option(names = "--preset", defaultValue = "mlp")
    String preset;

    @Option(names = "--threads", defaultValue = "1", description = "PyTorch intra-op threads")
    int threads;

    @Option(names = "--steps", defaultValue = "1200", description = "optimizer steps, the first 100 untimed")
    int steps;

    @Option(names = "--data", defaultValue = "data/datasets/mnist", description = "MNIST's IDX files")
    Path data;

    @Option(names = "--out", defaultValue = "docs/benchmarks/throughput.jsonl")
    Path out;

    public static void main(String[] args) {
        System.exit(new CommandLine(new ThroughputBenchmark()).execute(args));
    }

    /** One run as appended to the JSON lines file. */
    record Run(String preset, int threads, int batchSize, long timedSteps, long examplesPerSecond,
            long wallExamplesPerSecond, String measuredAt, int cpus) {}

    @Override
    public Integer call() throws IOException {
        if (threads < 1 || steps <= WARMUP_STEPS) {
            throw new ParameterException(spec.commandLine(), "--threads must be positive and --steps above "
                    + WARMUP_STEPS + ", found " + threads + " and " + steps);
        }
        ModelSpec model = MnistPresetRun.preset(spec, preset);
        MnistPresetRun.useThreads(threads);
        TrainingData mnist = MnistPresetRun.mnist(data, model);
        int stepsPerEpoch = mnist.train().size() / TrainingOptions.DEFAULT_BATCH_SIZE;
        int epochs = (steps + stepsPerEpoch - 1) / stepsPerEpoch;
        // a small test set: only training steps are timed
        TrainingData split = mnist.head(mnist.train().size(), 100);
        List<double[]> windows = new ArrayList<>(); // {examples, seconds} per report after warm-up
        long[] previousStep = {0};
        // {step, nanoTime} at the first and the latest mid-run report after the warm-up
        long[] wallFirst = {-1, 0};
        long[] wallLast = {-1, 0};
        RunListener timer = new RunListener() {
            private long stepsAsked;

            @Override
            public void onProgress(TrainingProgress progress) {
                long now = System.nanoTime();
                long examples = (progress.step() - previousStep[0]) * (long) TrainingOptions.DEFAULT_BATCH_SIZE;
                previousStep[0] = progress.step();
                // each report's rate covers the training steps since the previous one, test passes excluded
                if (progress.step() > WARMUP_STEPS && examples > 0 && Double.isFinite(progress.examplesPerSecond())) {
                    windows.add(new double[] {examples, examples / progress.examplesPerSecond()});
                }
                if (progress.step() >= WARMUP_STEPS && !progress.epochEnd()) {
                    long[] mark = wallFirst[0] < 0 ? wallFirst : wallLast;
                    mark[0] = progress.step();
                    mark[1] = now;
                }
            }

            @Override
            public TrainingControl control() {
                return ++stepsAsked > steps ? TrainingControl.STOP_EARLY : TrainingControl.CONTINUE;
            }
        };
        new L0Trainer().train(model, TrainingOptions.builder().optEpochs(epochs).optProgressEverySteps(REPORT_EVERY).build(),
                split, timer, null);
        double examples = 0;
        double seconds = 0;
        for (double[] w : windows) {
            examples += w[0];
            seconds += w[1];
        }
        long wallRate = wallLast[0] <= wallFirst[0] ? 0 : Math.round((wallLast[0] - wallFirst[0])
                * (double) TrainingOptions.DEFAULT_BATCH_SIZE / ((wallLast[1] - wallFirst[1]) / 1e9));
        Run run = new Run(preset, threads, TrainingOptions.DEFAULT_BATCH_SIZE,
                Math.round(examples / TrainingOptions.DEFAULT_BATCH_SIZE), Math.round(examples / seconds), wallRate,
                Instant.now().toString(), Runtime.getRuntime().availableProcessors());
        String line = JSON.writeValueAsString(run) + "\n";
        System.out.print(line);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(out, line, StandardCharsets.UTF_8, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        writeMarkdown(out);
        return 0;
    }

    /** The reference implementation's examples/s measured on the same machine (PyTorch, OpenBLAS, idle). */
    private static final Map<String, double[]> REFERENCE = Map.of("mlp", new double[] {23_900, 28_700},
            "lenet5-caffe", new double[] {2_600, 4_200});

    /** Renders the median of every measurement per preset and thread count next to the reference. */
    private static void writeMarkdown(Path jsonl) throws IOException {
        Map<String, List<Double>> runs = new TreeMap<>();
        for (String line : Files.readAllLines(jsonl, StandardCharsets.UTF_8)) {
            if (!line.isBlank()) {
                JsonNode node = JSON.readTree(line);
                runs.computeIfAbsent(node.get("preset").asString() + "/" + node.get("threads").asInt(),
                        k -> new ArrayList<>()).add(node.get("examplesPerSecond").asDouble());
            }
        }
        StringBuilder md = new StringBuilder("# Training throughput, batch 100\n\n")
                .append("Command: `scripts/benchmark-throughput` (one JVM per preset and thread count; 100 warm-up")
                .append(" steps discarded; test passes excluded), run on an otherwise idle machine. Median of the")
                .append(" runs in `throughput.jsonl`, with their range: two intra-op threads vary from run to run.\n\n")
                .append("| preset | intra-op threads | examples/s (median) | range | runs | reference implementation,")
                .append(" same machine | ratio |\n|---|---:|---:|---|---:|---:|---:|\n");
        for (Map.Entry<String, List<Double>> entry : runs.entrySet()) {
            String preset = entry.getKey().split("/")[0];
            int threads = Integer.parseInt(entry.getKey().split("/")[1]);
            List<Double> values = new ArrayList<>(entry.getValue());
            Collections.sort(values);
            double median = values.size() % 2 == 1 ? values.get(values.size() / 2)
                    : (values.get(values.size() / 2 - 1) + values.get(values.size() / 2)) / 2;
            double[] reference = REFERENCE.get(preset);
            String ref = reference != null && threads <= 2 ? String.format(Locale.ROOT, "%.0f", reference[threads - 1]) : "";
            String ratio = ref.isEmpty() ? "" : String.format(Locale.ROOT, "%.2f×", median / reference[threads - 1]);
            md.append(String.format(Locale.ROOT, "| %s | %d | %.0f | %.0f–%.0f | %d | %s | %s |%n", preset, threads,
                    median, values.get(0), values.get(values.size() - 1), values.size(), ref, ratio));
        }
        Path markdown = Path.of(jsonl.toString().replaceFirst("\\.jsonl$", "") + ".md");
        Files.writeString(markdown, md.toString(), StandardCharsets.UTF_8);
    }
}
