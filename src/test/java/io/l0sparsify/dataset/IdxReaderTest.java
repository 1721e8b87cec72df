package io.l0sparsify.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.l0sparsify.testing.Mnist;
import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxReaderTest {

    @TempDir
    Path dir;

    @Test
    void readsTheMnistFilesAsUnsignedByteImagesWithTheirOwnSplit() {
        LabelledDataset mnist = IdxReader.readSplit(Mnist.directory());
        assertThat(mnist.shape()).isEqualTo(InputShape.image(1, 28, 28));
        assertThat(mnist.classNames()).containsExactly("0", "1", "2", "3", "4", "5", "6", "7", "8", "9");
        LabelledDataset.Splits.Given given = (LabelledDataset.Splits.Given) mnist.splits();
        assertThat(given.train().size()).isEqualTo(60_000);
        assertThat(given.test().size()).isEqualTo(10_000);
        byte[] pixels = ((ExampleValues.UnsignedBytes) given.test().values()).values();
        // a quarter of the memory of floats: one byte per pixel
        assertThat(pixels).hasSize(10_000 * 784);
        int min = 255;
        int max = 0;
        for (byte p : pixels) {
            min = Math.min(min, p & 0xFF);
            max = Math.max(max, p & 0xFF);
        }
        assertThat(min).isEqualTo(0);
        assertThat(max).isEqualTo(255);
        TrainingData mnistData = Mnist.full();
        assertThat(mnistData.preprocessing()).isEqualTo(Preprocessing.scaleOnly(1.0 / 255.0, 1));
        // The first training label of MNIST is a 5, the first test label a 7.
        assertThat(given.train().labels()[0]).isEqualTo(5);
        assertThat(given.test().labels()[0]).isEqualTo(7);
    }

    @Test
    void readsPlainAndGzippedFilesAlike() throws IOException {
        writeImages(dir.resolve("a-images"), 0x00000803, 2, 2, 2, new byte[] {0, (byte) 255, 51, 102, 1, 2, 3, 4}, false);
        writeLabels(dir.resolve("a-labels.gz"), 0x00000801, new byte[] {3, 9}, true);
        Examples data = IdxReader.read(dir, "a-images", "a-labels");
        assertThat(data.size()).isEqualTo(2);
        assertThat(data.shape()).isEqualTo(InputShape.image(1, 2, 2));
        assertThat(((ExampleValues.UnsignedBytes) data.values()).values())
                .containsExactly(0, 255, 51, 102, 1, 2, 3, 4);
        float[] input = new float[4];
        data.copyInto(0, Preprocessing.scaleOnly(1.0 / 255.0, 1), input, 0);
        assertThat(input).containsExactly(0f, 1f, 0.2f, 0.4f);
        assertThat(data.labels()).containsExactly(3, 9);
    }

    @Test
    void wrongMagicNumberNamesTheFile() throws IOException {
        writeImages(dir.resolve("a-images"), 0x00000801, 1, 2, 2, new byte[4], false);
        writeLabels(dir.resolve("a-labels"), 0x00000801, new byte[] {1}, false);
        assertThatThrownBy(() -> IdxReader.read(dir, "a-images", "a-labels"))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessageStartingWith("a-images: wrong magic number: expected 0x00000803")
                .hasMessageNotContaining("0x00000801");
    }

    @Test
    void truncatedDataIsReported() throws IOException {
        writeImages(dir.resolve("a-images"), 0x00000803, 3, 2, 2, new byte[5], false);
        writeLabels(dir.resolve("a-labels"), 0x00000801, new byte[] {1, 2, 3}, false);
        assertThatThrownBy(() -> IdxReader.read(dir, "a-images", "a-labels"))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessage("a-images: is truncated: header promises 12 pixels but only 5 are present");
    }

    @Test
    void truncatedHeaderIsReported() throws IOException {
        Files.write(dir.resolve("a-images"), new byte[] {0, 0, 8});
        writeLabels(dir.resolve("a-labels"), 0x00000801, new byte[] {1}, false);
        assertThatThrownBy(() -> IdxReader.read(dir, "a-images", "a-labels"))
                .isInstanceOf(DatasetFormatException.class).hasMessageContaining("a-images: is truncated");
    }

    @Test
    void countMismatchBetweenImagesAndLabelsIsReported() throws IOException {
        writeImages(dir.resolve("a-images"), 0x00000803, 2, 1, 1, new byte[2], false);
        writeLabels(dir.resolve("a-labels"), 0x00000801, new byte[] {1, 2, 3}, false);
        assertThatThrownBy(() -> IdxReader.read(dir, "a-images", "a-labels"))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessage("a-labels: has 3 labels but a-images has 2 images");
    }

    @Test
    void missingFileAndCorruptGzipAreReported() throws IOException {
        assertThatThrownBy(() -> IdxReader.readSplit(dir))
                .isInstanceOf(DatasetFormatException.class).hasMessageContaining("train-images-idx3-ubyte: not found");
        Files.write(dir.resolve("a-images.gz"), new byte[] {1, 2, 3, 4, 5});
        writeLabels(dir.resolve("a-labels"), 0x00000801, new byte[] {1}, false);
        assertThatThrownBy(() -> IdxReader.read(dir, "a-images", "a-labels"))
                .isInstanceOf(DatasetFormatException.class).hasMessageContaining("a-images.gz: is not a valid gzip file");
        assertThat(IdxReader.isComplete(dir)).isFalse();
    }

    /** Bytes this thread allocated while {@code action} ran (HotSpot counts every allocation, exactly). */
    private static long allocatedBy(Runnable action) {
        var threads = (com.sun.management.ThreadMXBean) java.lang.management.ManagementFactory.getThreadMXBean();
        long before = threads.getCurrentThreadAllocatedBytes();
        action.run();
        return threads.getCurrentThreadAllocatedBytes() - before;
    }

    @Test
    void aHeaderPromisingMillionsOfImagesAllocatesOnlyWhatTheFileHolds() throws IOException {
        // 1 850 000 images of 28×28 would be 1.45 GB of bytes and 5.8 GB of floats; the file holds 1000 images
        writeImages(dir.resolve("a-images.gz"), 0x00000803, 1_850_000, 28, 28, new byte[1000 * 784], true);
        byte[] labels = new byte[1_850_000];
        writeLabels(dir.resolve("a-labels.gz"), 0x00000801, labels, true);
        long allocated = allocatedBy(() -> assertThatThrownBy(() -> IdxReader.read(dir, "a-images", "a-labels"))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessage("a-images.gz: is truncated: header promises 1450400000 pixels but only 784000 are present"));
        assertThat(allocated).as("bytes allocated").isLessThan(64L << 20);
    }

    @Test
    void aHeaderOfExactlyTwoToTheThirtyOneValuesIsRefusedBeforeAnyAllocation() throws IOException {
        // 2048 · 1024 · 1024 = 2^31: cast to int it is negative
        writeImages(dir.resolve("a-images"), 0x00000803, 2048, 1024, 1024, new byte[16], false);
        writeLabels(dir.resolve("a-labels"), 0x00000801, new byte[2048], false);
        assertThatThrownBy(() -> IdxReader.read(dir, "a-images", "a-labels"))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessageContaining("2048 images of 1024x1024 are 2147483648 pixels, more than one array holds");
    }

    @Test
    void negativeOrZeroDimensionsAreRefused() throws IOException {
        writeImages(dir.resolve("a-images"), 0x00000803, 1, -28, -28, new byte[784], false);
        writeLabels(dir.resolve("a-labels"), 0x00000801, new byte[1], false);
        assertThatThrownBy(() -> IdxReader.read(dir, "a-images", "a-labels"))
                .isInstanceOf(DatasetFormatException.class).hasMessageContaining("negative dimension -28");
        writeImages(dir.resolve("b-images"), 0x00000803, 1, 0, 28, new byte[0], false);
        writeLabels(dir.resolve("b-labels"), 0x00000801, new byte[1], false);
        assertThatThrownBy(() -> IdxReader.read(dir, "b-images", "b-labels"))
                .isInstanceOf(DatasetFormatException.class).hasMessageContaining("at least one row and one column");
    }

    @Test
    void aCapBoundsWhatIsReadNotOnlyWhatIsKept() throws IOException {
        // 100 000 images of 28×28 on disk (78 MB as floats); a cap of 10 reads 10 of them
        byte[] pixels = new byte[100_000 * 784];
        pixels[9 * 784] = (byte) 255;
        writeImages(dir.resolve("a-images.gz"), 0x00000803, 100_000, 28, 28, pixels, true);
        byte[] labels = new byte[100_000];
        labels[9] = 7;
        writeLabels(dir.resolve("a-labels.gz"), 0x00000801, labels, true);
        Examples[] read = new Examples[1];
        long allocated = allocatedBy(() -> read[0] = IdxReader.read(dir, "a-images", "a-labels", 10));
        assertThat(read[0].size()).isEqualTo(10);
        assertThat(read[0].labels()[9]).isEqualTo(7);
        assertThat(((ExampleValues.UnsignedBytes) read[0].values()).values()[9 * 784]).isEqualTo((byte) 255);
        assertThat(allocated).as("bytes allocated").isLessThan(16L << 20);
    }

    @Test
    void classesAreNamedUpToTheLargestLabelOfEitherSplit() throws IOException {
        writeImages(dir.resolve("train-images-idx3-ubyte"), 0x00000803, 2, 2, 2, new byte[8], false);
        writeLabels(dir.resolve("train-labels-idx1-ubyte"), 0x00000801, new byte[] {0, 1}, false);
        writeImages(dir.resolve("t10k-images-idx3-ubyte"), 0x00000803, 1, 2, 2, new byte[4], false);
        writeLabels(dir.resolve("t10k-labels-idx1-ubyte"), 0x00000801, new byte[] {3}, false);
        LabelledDataset data = IdxReader.readSplit(dir);
        assertThat(data.classNames()).containsExactly("0", "1", "2", "3");
        assertThat(data.splits()).isInstanceOf(LabelledDataset.Splits.Given.class);
    }

    @Test
    void testImagesOfAnotherSizeAreRefusedNamingBothSizes() throws IOException {
        writeImages(dir.resolve("train-images-idx3-ubyte"), 0x00000803, 1, 2, 2, new byte[4], false);
        writeLabels(dir.resolve("train-labels-idx1-ubyte"), 0x00000801, new byte[] {0}, false);
        writeImages(dir.resolve("t10k-images-idx3-ubyte"), 0x00000803, 1, 3, 2, new byte[6], false);
        writeLabels(dir.resolve("t10k-labels-idx1-ubyte"), 0x00000801, new byte[] {0}, false);
        assertThatThrownBy(() -> IdxReader.readSplit(dir)).isInstanceOf(DatasetFormatException.class)
                .hasMessageEndingWith("test images are 3x2 but training images are 2x2");
    }

    private static void writeImages(Path file, int magic, int count, int rows, int cols, byte[] data, boolean gzip)
            throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        out.writeInt(count);
        out.writeInt(rows);
        out.writeInt(cols);
        out.write(data);
        write(file, bytes.toByteArray(), gzip);
    }

    private static void writeLabels(Path file, int magic, byte[] labels, boolean gzip) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        DataOutputStream out = new DataOutputStream(bytes);
        out.writeInt(magic);
        out.writeInt(labels.length);
        out.write(labels);
        write(file, bytes.toByteArray(), gzip);
    }

    private static void write(Path file, byte[] content, boolean gzip) throws IOException {
        try (OutputStream out = gzip ? new GZIPOutputStream(Files.newOutputStream(file)) : Files.newOutputStream(file)) {
            out.write(content);
        }
    }
}
