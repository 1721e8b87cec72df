package io.l0sparsify.bench;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The report of a CIFAR-10 job ({@code scripts/reproduce-wrn-28-10-cifar10}) from its result.json and metrics.csv:
 * the pruned network's final test error and the best epoch's (the authors' script prints the minimum over the
 * epochs), beside Table 2 of the paper (WRN-28-10, CIFAR-10: 3.83 % at λ = 0.001/N, 3.93 % at 0.002/N), and the
 * expected FLOPs epoch by epoch as a fraction of the dense network's, the curve the paper plots. Writes
 * {@code OUT.md} and {@code OUT.json}.
 *
 * <pre>
 * scripts/run-main io.l0sparsify.bench.Cifar10ReproductionReport --job-dir out/lambda-0.001 \
 *     --command "scripts/reproduce-wrn-28-10-cifar10 cifar-10-binary.tar.gz out" --out out/lambda-0.001/report
 * </pre>
 */
@Command(name = "Cifar10ReproductionReport", mixinStandardHelpOptions = true,
        description = "Writes OUT.md and OUT.json for a CIFAR-10 job from its result.json and metrics.csv")
public final class Cifar10ReproductionReport implements Callable<Integer> {

    private static final JsonMapper JSON = JsonMapper.builder().build();
    /** Table 2 of the paper, WRN-28-10 on CIFAR-10, error % by λ·N. */
    static final Map<Double, Double> PAPER_ERROR_PERCENT = Map.of(0.001, 3.83, 0.002, 3.93);

    @Option(names = "--job-dir", required = true, description = "holds the job's result.json and metrics.csv")
    Path jobDir;

    @Option(names = "--command", required = true, description = "the command that produced the job, for the report")
    String command;

    @Option(names = "--note", description = "a sentence on the run's conditions (machine, shrunk run), for the report")
    String note;

    @Option(names = "--out", required = true, description = "report path without extension")
    Path out;

    public static void main(String[] args) {
        System.exit(new CommandLine(new Cifar10ReproductionReport()).execute(args));
    }

    /** One row of metrics.csv. */
    record Epoch(int epoch, double trainLoss, double testError, double expectedFlops, double expectedL0,
            double examplesPerSecond, double rssMegabytes) {}

    @Override
    public Integer call() throws IOException {
        JsonNode result = JSON.readTree(Files.readString(jobDir.resolve("result.json")));
        List<Epoch> epochs = epochs(Files.readAllLines(jobDir.resolve("metrics.csv")));
        Map<String, Object> report = report(result, epochs, command, note);
        Path parent = out.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        Files.writeString(Path.of(out + ".json"),
                JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report) + "\n");
        Files.writeString(Path.of(out + ".md"), markdown(report, epochs,
                result.get("flops").get("dense").asDouble()), StandardCharsets.UTF_8);
        System.out.println(out + ".md: pruned " + report.get("architecture") + ", final test error "
                + report.get("finalTestErrorPercent") + " %, best epoch " + report.get("bestEpoch") + " at "
                + report.get("bestTestErrorPercent") + " %");
        return 0;
    }

    static List<Epoch> epochs(List<String> lines) {
        List<String> header = Arrays.asList(lines.getFirst().split(","));
        List<Epoch> epochs = new ArrayList<>();
        for (String line : lines.subList(1, lines.size())) {
            if (line.isBlank()) {
                continue;
            }
            String[] cells = line.split(",", -1);
            epochs.add(new Epoch(Integer.parseInt(cells[header.indexOf("epoch")]),
                    number(cells, header, "train_loss"), number(cells, header, "test_error"),
                    number(cells, header, "expected_flops"), number(cells, header, "expected_l0"),
                    number(cells, header, "examples_per_second"), number(cells, header, "rss_megabytes")));
        }
        return epochs;
    }

    private static double number(String[] cells, List<String> header, String column) {
        int at = header.indexOf(column);
        return at < 0 || cells[at].isEmpty() ? Double.NaN : Double.parseDouble(cells[at]);
    }

    static Map<String, Object> report(JsonNode result, List<Epoch> epochs, String command, String note) {
        Map<String, Object> r = new LinkedHashMap<>();
        JsonNode training = result.get("training");
        double lambda = training.has("lambda") && training.get("lambda").isNumber()
                ? training.get("lambda").asDouble() : Double.NaN;
        r.put("command", command);
        if (note != null) {
            r.put("note", note);
        }
        r.put("jobId", result.get("jobId").asString());
        r.put("preset", result.has("preset") ? result.get("preset").asString() : null);
        r.put("device", result.get("device").asString());
        r.put("training", training);
        r.put("trainExamples", result.get("dataset").get("trainExamples").asLong());
        r.put("testExamples", result.get("dataset").get("testExamples").asLong());
        r.put("epochsCompleted", result.get("epochsCompleted").asInt());
        r.put("trainingSeconds", round(result.get("trainingSeconds").asDouble(), 1));
        r.put("architecture", result.get("architecture").asString());
        r.put("finalTestErrorPercent", round(100 * result.get("testError").asDouble(), 2));
        r.put("gatedTestErrorPercent", round(100 * result.get("gatedTestError").asDouble(), 2));
        Epoch best = epochs.stream().min((a, b) -> Double.compare(a.testError(), b.testError())).orElseThrow();
        r.put("bestEpoch", best.epoch());
        r.put("bestTestErrorPercent", round(100 * best.testError(), 2));
        Double paper = PAPER_ERROR_PERCENT.get(lambda);
        r.put("paperTestErrorPercent", paper);
        r.put("parameters", result.get("parameters"));
        r.put("flops", result.get("flops"));
        double denseFlops = result.get("flops").get("dense").asDouble();
        r.put("expectedFlopsFractionLastEpoch", round(epochs.getLast().expectedFlops() / denseFlops, 4));
        r.put("examplesPerSecond", Math.round(epochs.stream().mapToDouble(Epoch::examplesPerSecond)
                .filter(Double::isFinite).average().orElse(Double.NaN)));
        r.put("peakRssMbPerEpochs", round(epochs.stream().mapToDouble(Epoch::rssMegabytes).max().orElse(Double.NaN), 0));
        return r;
    }

    private static String markdown(Map<String, Object> r, List<Epoch> epochs, double denseFlops) {
        StringBuilder md = new StringBuilder();
        md.append("# ").append(r.get("preset")).append(" on CIFAR-10 with L0 gates\n\n");
        md.append("Command: `").append(r.get("command")).append("`\n\n");
        if (r.containsKey("note")) {
            md.append(r.get("note")).append("\n\n");
        }
        md.append(String.format(Locale.ROOT, "Job %s on %s, %d training and %d test examples, %d epochs in %.0f s."
                + " Training settings as submitted: `%s`.%n%n", r.get("jobId"), r.get("device"), r.get("trainExamples"),
                r.get("testExamples"), r.get("epochsCompleted"), r.get("trainingSeconds"), r.get("training")));
        md.append("| | this run | paper (WRN-28-10, Table 2) |\n|---|---|---|\n");
        String paper = r.get("paperTestErrorPercent") == null ? "3.83 % at λ = 0.001/N, 3.93 % at 0.002/N"
                : r.get("paperTestErrorPercent") + " %";
        md.append(String.format(Locale.ROOT, "| final test error, pruned network | %s %% | %s |%n",
                r.get("finalTestErrorPercent"), paper));
        md.append(String.format(Locale.ROOT, "| best epoch's test error (epoch %s) | %s %% | |%n", r.get("bestEpoch"),
                r.get("bestTestErrorPercent")));
        md.append(String.format(Locale.ROOT, "| gated network's test error, last epoch | %s %% | |%n",
                r.get("gatedTestErrorPercent")));
        JsonNode flops = (JsonNode) r.get("flops");
        JsonNode parameters = (JsonNode) r.get("parameters");
        md.append(String.format(Locale.ROOT, "| pruned architecture (kept maps per gated layer) | %s | |%n",
                r.get("architecture")));
        md.append(String.format(Locale.ROOT, "| parameters, pruned / dense | %d / %d | |%n",
                parameters.get("pruned").asLong(), parameters.get("dense").asLong()));
        md.append(String.format(Locale.ROOT, "| FLOPs, pruned / dense | %d / %d (%.3f) | |%n",
                flops.get("pruned").asLong(), flops.get("dense").asLong(),
                flops.get("pruned").asDouble() / flops.get("dense").asDouble()));
        md.append(String.format(Locale.ROOT, "| training examples/s (mean over epochs) | %s | |%n",
                r.get("examplesPerSecond")));
        md.append(String.format(Locale.ROOT, "| largest RSS at an epoch's end | %s MB | |%n%n",
                r.get("peakRssMbPerEpochs")));
        md.append("Expected FLOPs under the gates during training (the paper's Figure 3), as a fraction of the dense"
                + " network's; the best epoch is the lowest test error of the gated network as evaluated after"
                + " each epoch.\n\n");
        md.append("| epoch | train loss | test error % | expected FLOPs | fraction of dense | examples/s | RSS MB |\n");
        md.append("|---|---|---|---|---|---|---|\n");
        for (Epoch e : epochs) {
            md.append(String.format(Locale.ROOT, "| %d | %.4f | %.2f | %.0f | %.4f | %.0f | %.0f |%n", e.epoch(),
                    e.trainLoss(), 100 * e.testError(), e.expectedFlops(), e.expectedFlops() / denseFlops,
                    e.examplesPerSecond(), e.rssMegabytes()));
        }
        md.append("\nThe job's own charts are beside this report: training.svg (loss, test error, expected size per"
                + " epoch) and layers.svg (kept maps per layer).\n");
        return md.toString();
    }

    private static double round(double value, int digits) {
        double scale = Math.pow(10, digits);
        return Math.round(value * scale) / scale;
    }
}
