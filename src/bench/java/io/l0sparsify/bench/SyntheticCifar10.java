package io.l0sparsify.bench;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.concurrent.Callable;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * Writes a CIFAR-10 binary tar.gz laid out as its authors ship it ({@code cifar-10-batches-bin/} with
 * {@code data_batch_1.bin} … {@code data_batch_5.bin}, {@code test_batch.bin} and {@code batches.meta.txt}; each
 * record one label byte then the 1024 red, 1024 green and 1024 blue bytes of a 32×32 image, row by row), for
 * machines without the real data. Labels cycle 0…9, so every class has the same number of records.
 *
 * <p>The default images ({@link #STRIPES}) are learnable by a convolutional network and survive the paper's
 * augmentation: class k is a sinusoidal grating, horizontal for even k and vertical for odd k, with a period of
 * 4, 6, 8, 12 or 16 pixels (k / 2), a random phase, a random tint and Gaussian noise (σ = 16). A random crop only
 * shifts the phase and a mirror image keeps the orientation and the period, while the mean colour says nothing
 * about the class.
 *
 * <pre>
 * scripts/run-main io.l0sparsify.bench.SyntheticCifar10 --train 2000 --test 500 --out target/cifar/cifar-10-binary.tar.gz
 * </pre>
 */
@Command(name = "SyntheticCifar10", mixinStandardHelpOptions = true,
        description = "Writes a CIFAR-10 binary tar.gz of class-dependent synthetic images")
public final class SyntheticCifar10 implements Callable<Integer> {

    /** The 3072 bytes of one image of class {@code label}, drawn from {@code random}. */
    @FunctionalInterface
    interface Painter {
        void paint(int label, Random random, byte[] pixels);
    }

    private static final int SIDE = 32;
    private static final int AREA = SIDE * SIDE;
    private static final int[] PERIODS = {4, 6, 8, 12, 16};

    /** Gratings whose orientation and period give the class (see the class comment). */
    static final Painter STRIPES = (label, random, pixels) -> {
        boolean vertical = label % 2 == 1;
        double period = PERIODS[label / 2];
        double phase = random.nextDouble() * 2 * Math.PI;
        double[] tint = {0.5 + random.nextDouble() / 2, 0.5 + random.nextDouble() / 2, 0.5 + random.nextDouble() / 2};
        double base = 96 + random.nextInt(64);
        for (int y = 0; y < SIDE; y++) {
            for (int x = 0; x < SIDE; x++) {
                double wave = Math.sin(2 * Math.PI * (vertical ? x : y) / period + phase);
                for (int c = 0; c < 3; c++) {
                    double value = base + 80 * tint[c] * wave + 16 * random.nextGaussian();
                    pixels[c * AREA + y * SIDE + x] = (byte) Math.clamp(Math.round(value), 0, 255);
                }
            }
        }
    };

    static final String[] STRIPE_CLASSES = {"horizontal-4px", "vertical-4px", "horizontal-6px", "vertical-6px",
        "horizontal-8px", "vertical-8px", "horizontal-12px", "vertical-12px", "horizontal-16px", "vertical-16px"};

    @Option(names = "--train", defaultValue = "2000", description = "training records, spread over five data batches")
    int train;

    @Option(names = "--test", defaultValue = "500", description = "test records")
    int test;

    @Option(names = "--seed", defaultValue = "1")
    long seed;

    @Option(names = "--out", defaultValue = "target/cifar/cifar-10-binary.tar.gz", description = "the tar.gz to write")
    Path out;

    public static void main(String[] args) {
        System.exit(new CommandLine(new SyntheticCifar10()).execute(args));
    }

    @Override
    public Integer call() throws IOException {
        if (train < 1 || test < 1) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--train and --test must be positive");
        }
        Path parent = out.toAbsolutePath().getParent();
        Files.createDirectories(parent);
        write(out, train, test, new Random(seed), STRIPES, STRIPE_CLASSES);
        System.out.println(out + ": " + train + " training and " + test + " test records, " + Files.size(out)
                + " bytes");
        return 0;
    }

    /** Writes {@code train} records in five data batches and {@code test} in test_batch.bin, with class names. */
    static void write(Path file, int train, int test, Random random, Painter painter, String[] classNames)
            throws IOException {
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(
                new BufferedOutputStream(Files.newOutputStream(file), 1 << 20)))) {
            byte[] meta = (String.join("\n", classNames) + "\n\n").getBytes(StandardCharsets.US_ASCII);
            entry(tar, "cifar-10-batches-bin/batches.meta.txt", meta.length, stream -> stream.write(meta));
            int perBatch = (train + 4) / 5;
            int written = 0;
            for (int batch = 1; batch <= 5; batch++) {
                int count = Math.min(perBatch, train - written);
                written += count;
                entry(tar, "cifar-10-batches-bin/data_batch_" + batch + ".bin", (long) count * (1 + 3 * AREA),
                        stream -> records(stream, random, painter, count));
            }
            entry(tar, "cifar-10-batches-bin/test_batch.bin", (long) test * (1 + 3 * AREA),
                    stream -> records(stream, random, painter, test));
        }
    }

    private interface Content {
        void writeTo(OutputStream out) throws IOException;
    }

    private static void entry(TarArchiveOutputStream tar, String name, long size, Content content) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(size);
        tar.putArchiveEntry(entry);
        content.writeTo(tar);
        tar.closeArchiveEntry();
    }

    private static void records(OutputStream out, Random random, Painter painter, int count) throws IOException {
        byte[] pixels = new byte[3 * AREA];
        for (int n = 0; n < count; n++) {
            int label = n % 10;
            painter.paint(label, random, pixels);
            out.write(label);
            out.write(pixels);
        }
    }
}
