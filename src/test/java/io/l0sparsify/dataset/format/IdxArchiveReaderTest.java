package io.l0sparsify.dataset.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.l0sparsify.dataset.DatasetFormat;
import io.l0sparsify.dataset.DatasetFormatException;
import io.l0sparsify.dataset.LabelledDataset;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class IdxArchiveReaderTest {

    private static final DatasetFormat IDX = new DatasetFormat.Idx();

    @TempDir
    Path dir;

    @Test
    void plainFilesUnderATopFolderOfAZipAreReadAsBytes() {
        LabelledDataset data = Fixtures.read(IDX, "idx/mnist_layout.zip");
        Fixtures.assertMatchesNumpy(data, "idx/mnist_layout.zip");
    }

    @Test
    void gzippedFilesInATarGzAreReadAlike() {
        LabelledDataset data = Fixtures.read(IDX, "idx/mnist_layout_gz.tar.gz");
        Fixtures.assertMatchesNumpy(data, "idx/mnist_layout_gz.tar.gz");
        assertThat(data.classNames()).hasSize(10);
    }

    @Test
    void wrongMagicIsRefusedNamingTheEntry() {
        assertThatThrownBy(() -> Fixtures.read(IDX, "bad/idx_wrong_magic.zip"))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessage("idx_wrong_magic.zip: t10k-images-idx3-ubyte: wrong magic number 0x00000D03: expected"
                        + " 0x00000803 (unsigned bytes, 3 dimensions)");
    }

    @Test
    void truncatedImagesAreRefusedNamingTheEntry() {
        assertThatThrownBy(() -> Fixtures.read(IDX, "bad/idx_truncated_images.zip"))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessage("idx_truncated_images.zip: t10k-images-idx3-ubyte: truncated: its header promises 90"
                        + " bytes of data but only 83 follow");
    }

    @Test
    void aMissingFileIsNamed() throws IOException {
        Map<String, byte[]> files = files(2, 2, 2);
        files.remove("t10k-labels-idx1-ubyte");
        Path zip = TestArchives.zip(dir.resolve("three.zip"), files);
        assertThatThrownBy(() -> DatasetReaders.read(IDX, zip, Fixtures.LIMITS))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessageStartingWith("three.zip: has no t10k-labels-idx1-ubyte (nor t10k-labels-idx1-ubyte.gz)");
    }

    @Test
    void aHeaderPromisingMoreThanTheLimitIsRefusedBeforeReading() throws IOException {
        Map<String, byte[]> files = files(2, 2, 2);
        files.put("train-images-idx3-ubyte", TestArchives.idx(0x803, new int[] {1_000_000, 1000, 1000},
                new byte[16]));
        Path zip = TestArchives.zip(dir.resolve("promise.zip"), files);
        assertThatThrownBy(() -> DatasetReaders.read(IDX, zip, Fixtures.LIMITS))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessageContaining("promise.zip: train-images-idx3-ubyte: 1000000 images of 1000x1000 needs"
                        + " 1000000000000 bytes, more than the ");
    }

    @Test
    void labelsAndImagesOfDifferentCountsAreRefused() throws IOException {
        Map<String, byte[]> files = files(2, 2, 2);
        files.put("t10k-labels-idx1-ubyte", TestArchives.idx(0x801, new int[] {3}, new byte[] {0, 1, 1}));
        Path zip = TestArchives.zip(dir.resolve("counts.zip"), files);
        assertThatThrownBy(() -> DatasetReaders.read(IDX, zip, Fixtures.LIMITS))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessage("counts.zip: t10k-labels-idx1-ubyte: has 3 labels but t10k-images-idx3-ubyte has 2"
                        + " images");
    }

    @Test
    void trainAndTestImagesOfDifferentSizesAreRefused() throws IOException {
        Map<String, byte[]> files = files(2, 2, 2);
        files.put("t10k-images-idx3-ubyte", TestArchives.idx(0x803, new int[] {2, 3, 2}, new byte[12]));
        Path zip = TestArchives.zip(dir.resolve("sizes.zip"), files);
        assertThatThrownBy(() -> DatasetReaders.read(IDX, zip, Fixtures.LIMITS))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessage("sizes.zip: t10k-images-idx3-ubyte: test images are [1, 3, 2] but training images are"
                        + " [1, 2, 2]");
    }

    @Test
    void zeroImagesAreRefused() throws IOException {
        Map<String, byte[]> files = files(2, 2, 2);
        files.put("train-images-idx3-ubyte", TestArchives.idx(0x803, new int[] {0, 2, 2}, new byte[0]));
        files.put("train-labels-idx1-ubyte", TestArchives.idx(0x801, new int[] {0}, new byte[0]));
        Path zip = TestArchives.zip(dir.resolve("empty.zip"), files);
        assertThatThrownBy(() -> DatasetReaders.read(IDX, zip, Fixtures.LIMITS))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessage("empty.zip: train-images-idx3-ubyte: holds no images");
    }

    @Test
    void corruptGzipEntryIsRefusedNamingIt() throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files(2, 2, 2).forEach((name, data) -> files.put(name + ".gz", data));
        files.replaceAll((name, data) -> {
            try {
                return TestArchives.gzip(data);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        });
        byte[] spoilt = files.get("train-labels-idx1-ubyte.gz");
        spoilt[0] = 'P'; // no longer gzip's magic number
        spoilt[1] = 'K';
        Path tar = TestArchives.tarGz(dir.resolve("spoilt.tar.gz"), files);
        assertThatThrownBy(() -> DatasetReaders.read(IDX, tar, Fixtures.LIMITS))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessageStartingWith("spoilt.tar.gz: train-labels-idx1-ubyte.gz: cannot be read");
    }

    /** The four files with {@code n} images of {@code h}×{@code w} each side, labels 0 and 1. */
    static Map<String, byte[]> files(int n, int h, int w) {
        Map<String, byte[]> files = new LinkedHashMap<>();
        byte[] labels = new byte[n];
        for (int i = 0; i < n; i++) {
            labels[i] = (byte) (i % 2);
        }
        files.put("train-images-idx3-ubyte", TestArchives.idx(0x803, new int[] {n, h, w}, new byte[n * h * w]));
        files.put("train-labels-idx1-ubyte", TestArchives.idx(0x801, new int[] {n}, labels));
        files.put("t10k-images-idx3-ubyte", TestArchives.idx(0x803, new int[] {n, h, w}, new byte[n * h * w]));
        files.put("t10k-labels-idx1-ubyte", TestArchives.idx(0x801, new int[] {n}, labels));
        return files;
    }
}
