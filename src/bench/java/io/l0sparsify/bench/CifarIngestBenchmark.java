package io.l0sparsify.bench;

import io.l0sparsify.dataset.CanonicalDatasetCodec;
import io.l0sparsify.dataset.DatasetFormat;
import io.l0sparsify.dataset.DatasetProperties;
import io.l0sparsify.dataset.LabelledDataset;
import io.l0sparsify.dataset.TrainingData;
import io.l0sparsify.dataset.format.DatasetReaders;
import io.l0sparsify.l0.L0Trainer;
import io.l0sparsify.l0.RunListener;
import io.l0sparsify.l0.TrainingOptions;
import io.l0sparsify.l0.TrainingResult;
import io.l0sparsify.spec.LayerSpec;
import io.l0sparsify.spec.ModelSpec;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.json.JsonMapper;

/**
 * Memory and speed of a CIFAR-sized dataset from file to trained epoch: writes a CIFAR-10 binary tar.gz laid out
 * as its authors ship it ({@code --train} records in five data batches, {@code --test} in test_batch.bin), reads it
 * with the cifar reader as an upload is ingested (MB/s of the file), keeps it in the canonical form, and trains
 * one epoch of a small gated CNN on it. Run with the heap capped, as the script does, to show the images stay
 * compact (bytes until a minibatch is formed). Peak RSS is the process's high-water mark (VmHWM).
 *
 * <pre>
 * scripts/benchmark-cifar-ingest          # JAVA_OPTS=-Xmx1g, report docs/benchmarks/cifar-ingest.{json,md}
 * </pre>
 */
@Command(name = "CifarIngestBenchmark", mixinStandardHelpOptions = true,
        description = "Ingest a CIFAR-format file and train one epoch of a small CNN on it")
public final class CifarIngestBenchmark implements Callable<Integer> {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    @Option(names = "--train", defaultValue = "50000", description = "training records")
    int trainRecords;

    @Option(names = "--test", defaultValue = "10000", description = "test records")
    int testRecords;

    @Option(names = "--threads", defaultValue = "2", description = "PyTorch intra-op threads")
    int threads;

    @Option(names = "--work", defaultValue = "target/benchmarks/cifar-ingest", description = "scratch directory")
    Path work;

    @Option(names = "--out", defaultValue = "docs/benchmarks/cifar-ingest", description = "report path without extension")
    Path out;

    public static void main(String[] args) {
        System.exit(new CommandLine(new CifarIngestBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        Files.createDirectories(work);
        Path file = work.resolve("cifar-10-binary.tar.gz");
        writeCifar10(file, trainRecords, testRecords);
        long fileBytes = Files.size(file);

        long start = System.nanoTime();
        LabelledDataset dataset = DatasetReaders.read(new DatasetFormat.Cifar(null), file,
                DatasetProperties.of(work, List.of(work)).ingestLimits());
        double ingestSeconds = (System.nanoTime() - start) / 1e9;
        long rssAfterIngest = peakRssBytes();

        Path canonical = work.resolve("cifar.l0ds");
        start = System.nanoTime();
        try (OutputStream stream = Files.newOutputStream(canonical)) {
            CanonicalDatasetCodec.write(dataset, stream);
        }
        double canonicalSeconds = (System.nanoTime() - start) / 1e9;

        TrainingData data = TrainingData.ofGivenSplit(dataset);
        ModelSpec spec = new ModelSpec(List.of(3, 32, 32), List.of(
                new LayerSpec.Conv2d(8, 5, 1, 0, true), new LayerSpec.Relu(), new LayerSpec.MaxPool(2, 2),
                new LayerSpec.Conv2d(16, 5, 1, 0, true), new LayerSpec.Relu(), new LayerSpec.MaxPool(2, 2),
                new LayerSpec.Flatten(), new LayerSpec.Dense(10, true)));
        TrainingOptions options = TrainingOptions.builder().optEpochs(1).optDevice("cpu").optSeed(1).build();
        start = System.nanoTime();
        TrainingResult result = new L0Trainer().train(spec, options, data, RunListener.NONE, null);
        double trainSeconds = (System.nanoTime() - start) / 1e9;

        Map<String, Object> report = new LinkedHashMap<>();
        report.put("measuredAt", Instant.now().toString());
        report.put("cpus", Runtime.getRuntime().availableProcessors());
        report.put("maxHeapBytes", Runtime.getRuntime().maxMemory());
        report.put("threads", threads);
        report.put("trainRecords", trainRecords);
        report.put("testRecords", testRecords);
        report.put("fileBytes", fileBytes);
        report.put("ingestSeconds", ingestSeconds);
        report.put("ingestMBPerSecond", fileBytes / 1e6 / ingestSeconds);
        report.put("canonicalBytes", Files.size(canonical));
        report.put("canonicalWriteSeconds", canonicalSeconds);
        report.put("peakRssAfterIngestBytes", rssAfterIngest);
        report.put("epochSeconds", trainSeconds);
        report.put("trainingExamplesPerSecond", trainRecords / trainSeconds);
        report.put("testError", result.prunedTestError());
        report.put("peakRssBytes", peakRssBytes());
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(Path.of(out + ".json"), JSON.writerWithDefaultPrettyPrinter().writeValueAsString(report) + "\n");
        Files.writeString(Path.of(out + ".md"), markdown(report), StandardCharsets.UTF_8);
        System.out.println(JSON.writeValueAsString(report));
        return 0;
    }

    /**
     * Noisy images whose class sets their colour (class c brightens channel c mod 3, and all channels by c / 3), so a
     * small network learns them in one epoch and the run passes the service's chance-level check; the reader's and
     * the trainer's cost do not depend on content.
     */
    static void writeCifar10(Path file, int train, int test) throws IOException {
        SyntheticCifar10.write(file, train, test, new Random(1), (label, random, pixels) -> {
            for (int i = 0; i < pixels.length; i++) {
                int channel = i / 1024;
                pixels[i] = (byte) (random.nextInt(96) + (channel == label % 3 ? 100 : 0) + 18 * (label / 3));
            }
        }, new String[] {"airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"});
    }

    private static long peakRssBytes() throws IOException {
        for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("VmHWM:")) {
                return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
            }
        }
        return -1;
    }

    private static String markdown(Map<String, Object> r) {
        return String.format(Locale.ROOT, """
                # CIFAR-format ingest and one training epoch

                Command: `scripts/benchmark-cifar-ingest` (JVM heap capped with `-Xmx1g`), measured %s on %s CPUs,
                %d PyTorch intra-op threads.

                | what | value |
                |---|---|
                | file (CIFAR-10 binary tar.gz, %d + %d records) | %.1f MB |
                | ingest (read and check every record) | %.1f s, %.1f MB/s |
                | canonical form written | %.1f MB in %.1f s |
                | peak RSS after ingest | %.0f MB |
                | one epoch of a gated CNN (conv 8 and 16 maps of 5×5, dense 10), batch 100 | %.1f s, %.0f examples/s |
                | peak RSS of the whole run (VmHWM) | %.0f MB |
                | max heap | %.0f MB |

                The images are noise whose colour depends on the class (content does not change the cost); test error
                after the epoch: %.3f.
                """, r.get("measuredAt"), r.get("cpus"), (Integer) r.get("threads"), (Integer) r.get("trainRecords"),
                (Integer) r.get("testRecords"), ((Long) r.get("fileBytes")) / 1e6, (Double) r.get("ingestSeconds"),
                (Double) r.get("ingestMBPerSecond"), ((Long) r.get("canonicalBytes")) / 1e6,
                (Double) r.get("canonicalWriteSeconds"), ((Long) r.get("peakRssAfterIngestBytes")) / 1e6,
                (Double) r.get("epochSeconds"), (Double) r.get("trainingExamplesPerSecond"),
                ((Long) r.get("peakRssBytes")) / 1e6, ((Long) r.get("maxHeapBytes")) / 1e6, (Double) r.get("testError"));
    }
}
