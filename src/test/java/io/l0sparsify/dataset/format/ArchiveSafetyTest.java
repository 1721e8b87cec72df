package io.l0sparsify.dataset.format;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.l0sparsify.dataset.DatasetFormat;
import io.l0sparsify.dataset.DatasetFormatException;
import io.l0sparsify.dataset.IngestLimits;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ArchiveSafetyTest {

    private static final DatasetFormat NPY = new DatasetFormat.Npy(null);
    private static final DatasetFormat IDX = new DatasetFormat.Idx();

    @TempDir
    Path dir;

    @Test
    void zipEntryClimbingOutOfItsFolderRefusesTheArchive() {
        assertThatThrownBy(() -> Fixtures.read(new DatasetFormat.Npz(null), "bad/zip_slip.zip"))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessage("zip_slip.zip: holds an entry whose path leaves the archive's folder (../../evil/x.npy);"
                        + " such an archive is refused");
    }

    @Test
    void tarEntryClimbingOutOfItsFolderRefusesTheArchive() {
        assertThatThrownBy(() -> Fixtures.read(NPY, "bad/tar_slip.tar.gz"))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessageStartingWith("tar_slip.tar.gz: holds an entry whose path leaves the archive's folder"
                        + " (data/../../x_train.npy)");
    }

    @Test
    void absoluteEntryPathsRefuseTheArchive() throws IOException {
        assertThatThrownBy(() -> Fixtures.read(NPY, "bad/absolute_path.tar"))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessageStartingWith("absolute_path.tar: holds an entry whose path leaves the archive's folder"
                        + " (/etc/x_train.npy)");
        Path zip = TestArchives.zip(dir.resolve("abs.zip"), Map.of("C:\\Windows\\x.npy", new byte[1]));
        assertThatThrownBy(() -> DatasetReaders.read(NPY, zip, Fixtures.LIMITS))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessageContaining("leaves the archive's folder");
    }

    @Test
    void gzipBombIsStoppedByTheExpansionRatio() throws IOException {
        // 8 MiB of zeros gzip to about 8 KB: far past a ratio of 100, while under the total limit
        Path bomb = dir.resolve("bomb.tar.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(bomb))) {
            // a valid IDX header for 8 images of 1024×1024, then their zero pixels: the reader reads it all
            byte[] idxHeader = TestArchives.idx(0x803, new int[] {8, 1024, 1024}, new byte[0]);
            out.write(tarHeader("train-images-idx3-ubyte", idxHeader.length + (8L << 20)));
            out.write(idxHeader);
            byte[] zeros = new byte[1 << 16];
            for (int i = 0; i < (8 << 20) / zeros.length; i++) {
                out.write(zeros);
            }
        }
        assertThatThrownBy(() -> DatasetReaders.read(IDX, bomb, new IngestLimits(1L << 30, 100, 10)))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessageStartingWith("bomb.tar.gz: expands more than 100 times its size of " + Files.size(bomb)
                        + " bytes");
    }

    @Test
    void zipBombIsStoppedByTheTotalLimitAsItExpands() throws IOException {
        // 1024 CIFAR-10 records of zeros, 3 MiB deflated to a few KB: no header promises their size
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("data_batch_1.bin", new byte[1024 * 3073]);
        entries.put("test_batch.bin", new byte[3073]);
        Path zip = TestArchives.zip(dir.resolve("bomb.zip"), entries);
        assertThatThrownBy(() -> DatasetReaders.read(new DatasetFormat.Cifar(null), zip,
                new IngestLimits(2L << 20, 1_000_000, 10)))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessageStartingWith("bomb.zip: holds more than the limit of 2097152 bytes once decompressed");
    }

    @Test
    void headersPromisingMoreThanTheLimitLeftAreRefusedBeforeTheirData() throws IOException {
        Map<String, byte[]> named = new LinkedHashMap<>();
        byte[] pixels = new byte[1 << 20];
        named.put("train-images-idx3-ubyte", TestArchives.idx(0x803, new int[] {1, 1024, 1024}, pixels));
        named.put("train-labels-idx1-ubyte", TestArchives.idx(0x801, new int[] {1}, new byte[1]));
        named.put("t10k-images-idx3-ubyte", TestArchives.idx(0x803, new int[] {1, 1024, 1024}, pixels));
        named.put("t10k-labels-idx1-ubyte", TestArchives.idx(0x801, new int[] {1}, new byte[1]));
        Path idx = TestArchives.zip(dir.resolve("big.zip"), named);
        assertThatThrownBy(() -> DatasetReaders.read(IDX, idx, new IngestLimits(2L << 20, 1_000_000, 10)))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessageStartingWith("big.zip: t10k-images-idx3-ubyte: 1 images of 1024x1024 needs 1048576"
                        + " bytes, more than the ");
    }

    @Test
    void entriesPassedOverStillCountAgainstTheLimitsInATarGz() throws IOException {
        // a tar.gz of junk nobody reads still decompresses as it is skipped: the budget sees it
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("junk.bin", new byte[4 << 20]);
        Path tar = TestArchives.tarGz(dir.resolve("junk.tar.gz"), entries);
        assertThatThrownBy(() -> DatasetReaders.read(IDX, tar, new IngestLimits(1L << 30, 50, 10)))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessageStartingWith("junk.tar.gz: expands more than 50 times");
    }

    @Test
    void truncatedTarGzIsRefused() throws IOException {
        byte[] whole = Files.readAllBytes(Fixtures.path("cifar/cifar-10-binary.tar.gz"));
        Path cut = Files.write(dir.resolve("cut.tar.gz"), Arrays.copyOf(whole, whole.length - 100));
        assertThatThrownBy(() -> DatasetReaders.read(new DatasetFormat.Cifar(null), cut, Fixtures.LIMITS))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessageStartingWith("cut.tar.gz: ")
                .hasMessageContaining("truncated or corrupt tar.gz");
    }

    @Test
    void truncatedPlainTarIsRefused() throws IOException {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("x_train.npy", new byte[5000]);
        Path tarGz = TestArchives.tarGz(dir.resolve("t.tar.gz"), entries);
        byte[] tar;
        try (var in = new java.util.zip.GZIPInputStream(Files.newInputStream(tarGz))) {
            tar = in.readAllBytes();
        }
        Path cut = Files.write(dir.resolve("cut.tar"), Arrays.copyOf(tar, 2048));
        assertThatThrownBy(() -> DatasetReaders.read(NPY, cut, Fixtures.LIMITS))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessageStartingWith("cut.tar: x_train.npy: ");
    }

    @Test
    void gzipThatHoldsNoTarIsRefused() throws IOException {
        Path gz = Files.write(dir.resolve("plain.gz"), TestArchives.gzip(new byte[2048]));
        assertThatThrownBy(() -> DatasetReaders.read(IDX, gz, Fixtures.LIMITS))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessage("plain.gz: is gzip, but what it holds is not a tar archive");
    }

    @Test
    void corruptGzipIsRefused() throws IOException {
        byte[] bytes = Files.readAllBytes(Fixtures.path("idx/mnist_layout_gz.tar.gz"));
        for (int i = 20; i < 40; i++) {
            bytes[i] ^= 0x5A;
        }
        Path spoilt = Files.write(dir.resolve("spoilt.tar.gz"), bytes);
        assertThatThrownBy(() -> DatasetReaders.read(IDX, spoilt, Fixtures.LIMITS))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessageStartingWith("spoilt.tar.gz: ");
    }

    @Test
    void aMissingFileIsNamed() {
        assertThatThrownBy(() -> DatasetReaders.read(IDX, dir.resolve("nothing.zip"), Fixtures.LIMITS))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessage("nothing.zip: not found");
    }

    /** A ustar header block for one regular file. */
    private static byte[] tarHeader(String name, long size) {
        byte[] block = new byte[512];
        System.arraycopy(name.getBytes(), 0, block, 0, name.length());
        put(block, 100, "0000644\0");
        put(block, 108, "0000000\0");
        put(block, 116, "0000000\0");
        put(block, 124, String.format("%011o\0", size));
        put(block, 136, "00000000000\0");
        block[156] = '0';
        put(block, 257, "ustar\0");
        put(block, 263, "00");
        Arrays.fill(block, 148, 156, (byte) ' ');
        int sum = 0;
        for (byte b : block) {
            sum += b & 0xFF;
        }
        put(block, 148, String.format("%06o\0 ", sum));
        return block;
    }

    private static void put(byte[] block, int at, String text) {
        byte[] bytes = text.getBytes();
        System.arraycopy(bytes, 0, block, at, bytes.length);
    }
}
