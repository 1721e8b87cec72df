package io.l0sparsify.dataset;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/**
 * A small reader for ingestion tests, standing in for the format readers. {@code csv}: lines {@code v1,v2,label}
 * (floats, classes "0" and "1"), no split; a value that is not a number fails naming its row and column.
 * {@code idx}: lines {@code split,label,p0,p1,p2,p3} of 2×2 grayscale bytes, split {@code train} or
 * {@code test}. {@code npz}: as {@code csv}, once the gate a test set with {@link #holdNext()} opens. {@code npy}:
 * fails as a bug would, with an unchecked exception that is not a format error.
 */
public final class FakeDatasetReader implements DatasetReader {

    private volatile CountDownLatch gate = new CountDownLatch(0);

    /** Makes the next npz reads wait until the returned latch is counted down (at most 30 s). */
    public CountDownLatch holdNext() {
        gate = new CountDownLatch(1);
        return gate;
    }

    @Override
    public LabelledDataset read(DatasetFormat format, Path file, IngestLimits limits) {
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return switch (format) {
            case DatasetFormat.Csv csv -> features(file, lines);
            case DatasetFormat.Idx idx -> images(file, lines);
            case DatasetFormat.Npy npy -> throw new IllegalStateException("a fault of the reader itself");
            case DatasetFormat.Npz npz -> {
                try {
                    gate.await(30, TimeUnit.SECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
                yield features(file, lines);
            }
            default -> throw new DatasetFormatException(file, "the test reader reads csv and idx only");
        };
    }

    private static LabelledDataset features(Path file, List<String> lines) {
        float[] values = new float[lines.size() * 2];
        int[] labels = new int[lines.size()];
        for (int row = 0; row < lines.size(); row++) {
            String[] cells = lines.get(row).split(",");
            for (int column = 0; column < 2; column++) {
                try {
                    values[row * 2 + column] = Float.parseFloat(cells[column]);
                } catch (NumberFormatException e) {
                    throw new DatasetFormatException(file, "row " + (row + 1) + ", column " + (column + 1)
                            + ": '" + cells[column] + "' is not a number");
                }
            }
            labels[row] = Integer.parseInt(cells[2]);
        }
        InputShape shape = InputShape.features(2);
        return new LabelledDataset(shape, List.of("0", "1"), new LabelledDataset.Splits.Unsplit(
                new Examples("all", shape, new ExampleValues.Floats(values), labels)));
    }

    private static LabelledDataset images(Path file, List<String> lines) {
        InputShape shape = InputShape.image(1, 2, 2);
        List<String> train = new ArrayList<>();
        List<String> test = new ArrayList<>();
        for (String line : lines) {
            (line.startsWith("train,") ? train : test).add(line);
        }
        return new LabelledDataset(shape, List.of("zero", "one"), new LabelledDataset.Splits.Given(
                bytes("train", shape, train), bytes("test", shape, test)));
    }

    private static Examples bytes(String name, InputShape shape, List<String> lines) {
        byte[] values = new byte[lines.size() * 4];
        int[] labels = new int[lines.size()];
        for (int i = 0; i < lines.size(); i++) {
            String[] cells = lines.get(i).split(",");
            labels[i] = Integer.parseInt(cells[1]);
            for (int p = 0; p < 4; p++) {
                values[i * 4 + p] = (byte) Integer.parseInt(cells[2 + p]);
            }
        }
        return new Examples(name, shape, new ExampleValues.UnsignedBytes(values), labels);
    }

    /** Puts this reader in place of the service's in a test's context. */
    @TestConfiguration(proxyBeanMethods = false)
    public static class InContext {

        @Bean
        @Primary
        FakeDatasetReader fakeDatasetReader() {
            return new FakeDatasetReader();
        }
    }
}
