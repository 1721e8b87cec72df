package io.l0sparsify.bench;

import io.l0sparsify.dataset.TrainingData;
import io.l0sparsify.export.DataConventions;
import io.l0sparsify.export.WeightsJson;
import io.l0sparsify.l0.L0Trainer;
import io.l0sparsify.l0.SizeTarget;
import io.l0sparsify.l0.ProcessMemory;
import io.l0sparsify.l0.RunListener;
import io.l0sparsify.l0.TrainingOptions;
import io.l0sparsify.l0.TrainingControl;
import io.l0sparsify.l0.TrainingProgress;
import io.l0sparsify.l0.TrainingResult;
import io.l0sparsify.spec.ModelSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Trains a preset on MNIST as in the paper and writes a report ({@code NAME.json}, {@code NAME.md}) that
 * is rewritten after every epoch, so an interrupted run still leaves its history. The trained networks
 * go to {@code target/benchmarks/NAME/} as weights.json (pruned) and weights-dense.json (gates folded),
 * the inputs of {@link InferenceBenchmark}.
 *
 * <pre>
 * scripts/run-main io.l0sparsify.bench.TrainingBenchmark --preset mlp --lambda 0.1 --epochs 200 \
 *     --data data/datasets/mnist --threads 1 --out docs/benchmarks/mnist-mlp
 * </pre>
 *
 * {@code --lambda} takes one value or a comma-separated list, one per gated layer. {@code --threads} sets
 * PyTorch's intra-op threads (set before the engine loads). Creating the file {@code NAME.stop} beside the
 * report stops the run after the current step and still prunes and reports it, like the service's stop.
 */
@Command(name = "TrainingBenchmark", mixinStandardHelpOptions = true,
        description = "Trains a preset on MNIST as in the paper and writes OUT.json and OUT.md")
public final class TrainingBenchmark implements Callable<Integer> {

    /** What the paper and the authors' reference implementation reached, for the comparison. */
    private record Baseline(String paperArchitecture, double paperErrorPercent, String referenceArchitecture,
            double referenceErrorPercent, double referenceExamplesPerSecondOneThread,
            double referenceExamplesPerSecondTwoThreads) {}

    private static final Map<String, Baseline> BASELINES = Map.of(
            "mlp", new Baseline("219-214-100", 1.4, "225-216-100", 1.54, 23_900, 28_700),
            "lenet5-caffe", new Baseline("9-18-65-25", 1.0, "11-19-58-16", 1.17, 2_600, 4_200));

    @Spec
    CommandSpec spec;

    @Option(names = "--preset", defaultValue = "mlp")
    String preset;

    @Option(names = "--lambda", split = ",",
            description = "one λ, or a comma-separated list with one per gated layer (default 0.1; 0 with --target)")
    List<Double> lambdas;

    @Option(names = "--target", description = "a size budget, flops=F or parameters=F with 0 < F < 1: the epoch"
            + " the pruned network first fits it at no more than --max-error-percent is reported")
    String target;

    @Option(names = "--max-error-percent", description = "the test error a budget run must reach (default: the"
            + " paper's for the preset)")
    Double maxErrorPercent;

    @Option(names = "--weight-decay", defaultValue = "0", description = "weight decay on the ordinary weights, in"
            + " the L0 penalty's expected form (default 0; the Caffe LeNet-5 value, 5e-4, for Table 1's rows)")
    double weightDecay;

    @Option(names = "--seed", defaultValue = "1")
    long seed;

    @Option(names = "--epochs", defaultValue = "200")
    int epochs;

    @Option(names = "--threads", defaultValue = "1", description = "PyTorch intra-op threads")
    int threads;

    @Option(names = "--data", defaultValue = "data/datasets/mnist", description = "MNIST's IDX files")
    Path data;

    @Option(names = "--out", description = "report path without extension (default: docs/benchmarks/mnist-PRESET)")
    Path out;

    public static void main(String[] args) {
        System.exit(new CommandLine(new TrainingBenchmark()).execute(args));
    }

    private SizeTarget parseTarget(String text) {
        String[] parts = text.split("=", 2);
        try {
            SizeTarget.Metric metric = switch (parts[0]) {
                case "flops" -> SizeTarget.Metric.FLOPS;
                case "parameters" -> SizeTarget.Metric.PARAMETERS;
                default -> throw new IllegalArgumentException("unknown metric " + parts[0]);
            };
            return SizeTarget.of(metric, Double.parseDouble(parts[1]));
        } catch (RuntimeException e) {
            throw new ParameterException(spec.commandLine(), "--target must be flops=F or parameters=F with 0 < F < 1: "
                    + e.getMessage());
        }
    }

    @Override
    public Integer call() throws IOException {
        if (threads < 1 || epochs < 1) {
            throw new ParameterException(spec.commandLine(), "--threads and --epochs must be positive, found "
                    + threads + " and " + epochs);
        }
        ModelSpec model = MnistPresetRun.preset(spec, preset);
        Path out = this.out != null ? this.out : Path.of("docs/benchmarks/mnist-" + preset);
        MnistPresetRun.useThreads(threads);
        TrainingOptions.Builder options = TrainingOptions.builder().optEpochs(epochs).optSeed(seed)
                .optWeightDecay(weightDecay);
        SizeTarget budget = target == null ? null : parseTarget(target);
        boolean lambdaGiven = lambdas != null;
        if (lambdas != null || budget == null) {
            lambdas = lambdas != null ? lambdas : List.of(0.1);
            options.optLambdas(lambdas);
        } else {
            lambdas = List.of(0.0);
        }
        TrainingOptions config = options.optTarget(budget).build();

        TrainingData mnist = MnistPresetRun.mnist(data, model);
        Report report = new Report(preset, lambdas, weightDecay, epochs, seed, threads, BASELINES.get(preset), out);
        if (budget != null) {
            double bar = maxErrorPercent != null ? maxErrorPercent : BASELINES.get(preset).paperErrorPercent();
            report.budget(target, bar, lambdaGiven);
        }
        TrainingResult result = new L0Trainer().train(model, config, mnist, report, null);
        report.finish(result);

        Path networks = Path.of("target", "benchmarks", out.getFileName().toString());
        Files.createDirectories(networks);
        DataConventions conventions = new DataConventions(mnist.preprocessing(), mnist.classNames());
        Files.write(networks.resolve("weights.json"), WeightsJson.write(result.pruned(), conventions));
        Files.write(networks.resolve("weights-dense.json"), WeightsJson.write(result.dense(), conventions));
        System.out.println("pruned " + result.pruned().architecture() + " at "
                + String.format(Locale.ROOT, "%.2f", 100 * result.prunedTestError()) + " % test error; networks in "
                + networks);
        return 0;
    }

    /** Collects epochs and writes the report files after each one. */
    private static final class Report implements RunListener {
        private final Map<String, Object> json = new LinkedHashMap<>();
        private final List<Map<String, Object>> history = new ArrayList<>();
        private final Baseline baseline;
        private final Path out;
        private double examples;
        private double trainingSeconds;
        private double maxErrorPercent = Double.NaN;

        /**
         * A budget run: the report says when the pruned network first fit the budget {@code text} at
         * {@code errorBar} %. The command keeps {@code --lambda} only when it was given (λ is 0 otherwise).
         */
        void budget(String text, double errorBar, boolean lambdaGiven) {
            this.maxErrorPercent = errorBar;
            json.put("target", text);
            json.put("maxErrorPercent", errorBar);
            String command = json.get("command").toString();
            json.put("command", (lambdaGiven ? command : command.replaceFirst(" --lambda [^ ]+", ""))
                    .replace(" --epochs ", " --target " + text + " --epochs "));
        }

        Report(String preset, List<Double> lambdas, double weightDecay, int epochs, long seed, int threads,
                Baseline baseline, Path out) {
            this.baseline = baseline;
            this.out = out;
            json.put("preset", preset);
            json.put("lambda", lambdas.size() == 1 ? lambdas.get(0) : lambdas);
            json.put("epochsPlanned", epochs);
            json.put("epochs", 0);
            json.put("seed", seed);
            json.put("threads", threads);
            json.put("batchSize", TrainingOptions.DEFAULT_BATCH_SIZE);
            json.put("learningRate", TrainingOptions.DEFAULT_LEARNING_RATE);
            json.put("emaDecay", TrainingOptions.DEFAULT_EMA_DECAY);
            json.put("weightDecay", weightDecay);
            json.put("startedAt", Instant.now().toString());
            json.put("command", "scripts/run-main io.l0sparsify.bench.TrainingBenchmark --preset " + preset
                    + " --lambda " + lambdas.stream().map(String::valueOf).collect(Collectors.joining(","))
                    + (weightDecay != 0 ? " --weight-decay " + weightDecay : "")
                    + " --epochs " + epochs + " --seed " + seed + " --threads " + threads
                    + " --data data/datasets/mnist --out " + out);
            json.put("history", history);
        }

        @Override
        public TrainingControl control() {
            return Files.exists(Path.of(out + ".stop")) ? TrainingControl.STOP_EARLY : TrainingControl.CONTINUE;
        }

        @Override
        public void onProgress(TrainingProgress p) {
            if (!p.epochEnd()) {
                return;
            }
            Map<String, Object> entry = new LinkedHashMap<>();
            entry.put("epoch", p.epoch());
            entry.put("trainCrossEntropy", p.trainLoss());
            entry.put("penalty", p.penalty());
            entry.put("testErrorPercent", 100 * p.testError());
            entry.put("keptUnits", p.keptUnits());
            // units with an open gate, per gated layer; pruning may drop more (units nothing reads)
            entry.put("gateArchitecture", p.keptUnits().stream().map(String::valueOf).collect(Collectors.joining("-")));
            entry.put("expectedL0", Math.round(p.expectedL0()));
            entry.put("expectedFlops", Math.round(p.expectedFlops()));
            entry.put("examplesPerSecond", Math.round(p.examplesPerSecond()));
            entry.put("elapsedSeconds", round(p.elapsedSeconds()));
            entry.put("rssMb", round(p.rssMegabytes()));
            if (p.budget() != null) {
                entry.put("budgetTarget", p.budget().target());
                entry.put("budgetCurrentTarget", p.budget().currentTarget());
                entry.put("budgetExpected", p.budget().expected());
                entry.put("budgetDeterministic", p.budget().deterministic());
                entry.put("lambda1", p.budget().lambda1());
                entry.put("lambda2", p.budget().lambda2());
                if (Double.isFinite(p.budget().aim())) {
                    entry.put("budgetAim", p.budget().aim());
                }
                if (Double.isFinite(p.budget().gain())) {
                    entry.put("budgetGain", p.budget().gain());
                }
                boolean met = p.budget().deterministic() <= p.budget().target()
                        && 100 * p.testError() <= maxErrorPercent;
                if (met && !json.containsKey("budgetMetAtEpoch")) {
                    json.put("budgetMetAtEpoch", p.epoch());
                    json.put("budgetMetAfterMinutes", round(p.elapsedSeconds() / 60));
                }
            }
            history.add(entry);
            // the authors' script prints the minimum over epochs; the report keeps it apart from the final error
            if (!json.containsKey("bestEpoch") || 100 * p.testError() < (Double) json.get("bestEpochTestErrorPercent")) {
                json.put("bestEpoch", p.epoch());
                json.put("bestEpochTestErrorPercent", 100 * p.testError());
                json.put("bestEpochGateArchitecture", entry.get("gateArchitecture"));
            }
            if (Double.isFinite(p.examplesPerSecond()) && p.examplesPerSecond() > 0) {
                double epochExamples = (double) p.stepsPerEpoch() * TrainingOptions.DEFAULT_BATCH_SIZE;
                examples += epochExamples;
                trainingSeconds += epochExamples / p.examplesPerSecond();
            }
            json.put("epochs", p.epoch());
            json.put("gateArchitecture", entry.get("gateArchitecture"));
            json.put("gatedTestErrorPercent", entry.get("testErrorPercent"));
            json.put("examplesPerSecond", Math.round(examples / trainingSeconds));
            json.put("peakRssMb", round(ProcessMemory.peakRssMegabytes()));
            System.out.printf(Locale.ROOT, "epoch %d: %s, test error %.2f %%, %.0f ex/s, RSS %.0f MB%n", p.epoch(),
                    entry.get("gateArchitecture"), 100 * p.testError(), p.examplesPerSecond(), p.rssMegabytes());
            write();
        }

        void finish(TrainingResult result) {
            json.put("epochs", result.epochsCompleted());
            json.put("stoppedEarly", result.stoppedEarly());
            json.put("prunedArchitecture", result.pruned().architecture());
            json.put("testErrorPercent", 100 * result.prunedTestError());
            json.put("gatedTestErrorPercent", 100 * result.gatedTestError());
            json.put("parametersDense", result.dense().parameterCount());
            json.put("parametersPruned", result.pruned().parameterCount());
            json.put("flopsDense", result.dense().flops());
            json.put("flopsPruned", result.pruned().flops());
            json.put("peakRssMb", round(ProcessMemory.peakRssMegabytes()));
            json.put("finishedAt", Instant.now().toString());
            write();
        }

        private void write() {
            try {
                Files.createDirectories(out.toAbsolutePath().getParent());
                Files.write(Path.of(out + ".json"), JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT)
                        .build().writeValueAsBytes(json));
                Files.writeString(Path.of(out + ".md"), markdown(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private String markdown() {
            StringBuilder md = new StringBuilder();
            md.append("# MNIST ").append(json.get("preset")).append(", λ = ").append(json.get("lambda")).append("\n\n");
            md.append("Command: `").append(json.get("command")).append("`  \n");
            md.append("Epochs run: ").append(json.get("epochs")).append(" of ").append(json.get("epochsPlanned"))
                    .append(", seed ").append(json.get("seed")).append(", ").append(json.get("threads"))
                    .append(" intra-op thread(s), batch 100, Adam 1e-3, parameter EMA 0.999, ")
                    .append((Double) json.get("weightDecay") == 0 ? "no weight decay" : "weight decay " + json.get("weightDecay"))
                    .append(".\n\n");
            if (json.containsKey("target")) {
                md.append("Budget `").append(json.get("target")).append("` (λ = ").append(json.get("lambda"))
                        .append(" besides the budget term): the pruned")
                        .append(" network first fit it at no more than ").append(json.get("maxErrorPercent"))
                        .append(" % test error ").append(json.containsKey("budgetMetAtEpoch")
                                ? "after epoch " + json.get("budgetMetAtEpoch") + " (" + json.get("budgetMetAfterMinutes")
                                        + " minutes of training and evaluation)"
                                : "in none of the epochs run").append(".\n\n");
            }
            md.append("| | architecture | test error % |\n|---|---|---|\n");
            Object error = json.getOrDefault("testErrorPercent", json.get("gatedTestErrorPercent"));
            md.append("| this run").append(json.containsKey("testErrorPercent") ? " (pruned network)" : " (gated, so far)")
                    .append(" | ").append(json.getOrDefault("prunedArchitecture", json.get("gateArchitecture")))
                    .append(" | ").append(format(error)).append(" |\n");
            if (baseline != null) {
                md.append("| paper (Table 1) | ").append(baseline.paperArchitecture()).append(" | ")
                        .append(baseline.paperErrorPercent()).append(" |\n");
                md.append("| reference implementation, same settings, this machine | ")
                        .append(baseline.referenceArchitecture()).append(" | ").append(baseline.referenceErrorPercent())
                        .append(" |\n\n");
                md.append("Training throughput: ").append(json.get("examplesPerSecond"))
                        .append(" examples/s (mean over epochs, evaluation excluded); the reference implementation: ")
                        .append(Math.round(baseline.referenceExamplesPerSecondOneThread())).append(" with 1 thread, ")
                        .append(Math.round(baseline.referenceExamplesPerSecondTwoThreads())).append(" with 2.\n\n");
            }
            if (json.containsKey("parametersPruned")) {
                md.append("Parameters ").append(json.get("parametersDense")).append(" → ").append(json.get("parametersPruned"))
                        .append(", FLOPs ").append(json.get("flopsDense")).append(" → ").append(json.get("flopsPruned"))
                        .append(".\n\n");
            }
            if (json.containsKey("bestEpoch")) {
                md.append("Best epoch (the minimum over epochs, which the authors' script prints; the table above is the")
                        .append(" final network): epoch ").append(json.get("bestEpoch")).append(", ")
                        .append(format(json.get("bestEpochTestErrorPercent"))).append(" % test error (gated, EMA), open")
                        .append(" gates ").append(json.get("bestEpochGateArchitecture")).append(".\n\n");
            }
            md.append("Peak RSS: ").append(json.get("peakRssMb")).append(" MB.\n\n");
            md.append("| epoch | test error % (gated, EMA) | kept units | expected L0 | ex/s | RSS MB |\n|---|---|---|---|---|---|\n");
            for (Map<String, Object> h : history) {
                int epoch = (Integer) h.get("epoch");
                if (epoch <= 5 || epoch % 10 == 0 || epoch == history.size()) {
                    md.append("| ").append(epoch).append(" | ").append(format(h.get("testErrorPercent"))).append(" | ")
                            .append(h.get("gateArchitecture")).append(" | ").append(h.get("expectedL0")).append(" | ")
                            .append(h.get("examplesPerSecond")).append(" | ").append(h.get("rssMb")).append(" |\n");
                }
            }
            if (history.stream().anyMatch(h -> h.containsKey("budgetTarget"))) {
                md.append("\nThe budget, every epoch (sizes as fractions of the dense network's, at the epoch's end;")
                        .append(" the aim is the one the epoch's last step used):\n\n")
                        .append("| epoch | test error % | expected ŝ | aim | test-time d | gain c | λ₁ | λ₂ |\n")
                        .append("|---|---|---|---|---|---|---|---|\n");
                for (Map<String, Object> h : history) {
                    md.append("| ").append(h.get("epoch")).append(" | ").append(format(h.get("testErrorPercent")))
                            .append(" | ").append(fraction(h.get("budgetExpected"))).append(" | ")
                            .append(fraction(h.get("budgetAim"))).append(" | ")
                            .append(fraction(h.get("budgetDeterministic"))).append(" | ")
                            .append(fraction(h.get("budgetGain"))).append(" | ").append(fraction(h.get("lambda1")))
                            .append(" | ").append(fraction(h.get("lambda2"))).append(" |\n");
                }
            }
            return md.toString();
        }
    }

    private static String format(Object percent) {
        return percent instanceof Number n ? String.format(Locale.ROOT, "%.2f", n.doubleValue()) : String.valueOf(percent);
    }

    private static String fraction(Object value) {
        return value instanceof Number n ? String.format(Locale.ROOT, "%.4f", n.doubleValue()) : "–";
    }

    private static double round(double value) {
        return Math.round(value * 10) / 10.0;
    }
}
