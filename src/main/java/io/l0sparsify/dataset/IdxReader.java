package io.l0sparsify.dataset;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.zip.GZIPInputStream;

/**
 * Reads the IDX format of MNIST (LeCun et al.): a big-endian header {@code 0x00 0x00 type rank}, one int
 * per dimension, then the data. Images are unsigned bytes scaled to [0, 1]; labels unsigned bytes.
 * Each file may be gzipped ({@code .gz} beside or instead of the plain name).
 *
 * <p>A file is read only when its real path (every symlink resolved) lies in the real path of its dataset
 * directory: the directory was checked against the allowed roots, and a link inside it must not lead
 * anywhere else. A file that is missing and one that leads elsewhere are refused in the same words, so the
 * refusal tells nothing about what exists outside.
 */
public final class IdxReader {

    /** The four files of the MNIST layout, without the optional ".gz". */
    public static final List<String> FILES = List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
            "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

    private static final int UNSIGNED_BYTE = 0x08;
    /** Guards against a corrupt header asking for gigabytes. */
    private static final long MAX_VALUES = 1L << 31;

    private IdxReader() {}

    /** Reads the four MNIST-layout files in {@code dir}. */
    public static TrainTestSplit readSplit(Path dir) {
        ImageDataset train = read(dir, FILES.get(0), FILES.get(1));
        ImageDataset test = read(dir, FILES.get(2), FILES.get(3));
        if (train.rows() != test.rows() || train.cols() != test.cols()) {
            throw new DatasetFormatException(locate(dir, FILES.get(2)), "test images are " + test.rows() + "x"
                    + test.cols() + " but training images are " + train.rows() + "x" + train.cols());
        }
        return new TrainTestSplit(train, test);
    }

    /** True when all four files (plain or gzipped) are regular files really lying in {@code dir}. */
    public static boolean isComplete(Path dir) {
        return FILES.stream().allMatch(f -> find(dir, f).isPresent());
    }

    /** Reads one images file and its labels file and checks that their counts agree. */
    public static ImageDataset read(Path dir, String imagesName, String labelsName) {
        Path imagesFile = locate(dir, imagesName);
        Path labelsFile = locate(dir, labelsName);
        Images images = readImages(imagesFile);
        int[] labels = readLabels(labelsFile);
        if (labels.length != images.count) {
            throw new DatasetFormatException(labelsFile, "has " + labels.length + " labels but "
                    + imagesFile.getFileName() + " has " + images.count + " images");
        }
        return new ImageDataset(imagesName, images.rows, images.cols, images.pixels, labels);
    }

    /** The real path of {@code name} (or {@code name.gz}) in {@code dir}, checked as the class says. */
    static Path locate(Path dir, String name) {
        return find(dir, name).orElseThrow(() -> new DatasetFormatException(dir.resolve(name), "not found in "
                + dir + " as a file of that directory (neither " + name + " nor " + name + ".gz)"));
    }

    private static Optional<Path> find(Path dir, String name) {
        Path realDir;
        try {
            realDir = dir.toRealPath();
        } catch (IOException e) {
            return Optional.empty();
        }
        for (String candidate : List.of(name, name + ".gz")) {
            try {
                Path real = realDir.resolve(candidate).toRealPath();
                if (realDir.equals(real.getParent()) && Files.isRegularFile(real, LinkOption.NOFOLLOW_LINKS)) {
                    return Optional.of(real);
                }
            } catch (IOException e) {
                // missing, a dangling link, or unreadable: not this candidate, in the same words as elsewhere
            }
        }
        return Optional.empty();
    }

    private record Images(int count, int rows, int cols, float[] pixels) {}

    static Images readImages(Path file) {
        try (DataInputStream in = open(file)) {
            int[] dims = header(file, in, 3);
            long values = (long) dims[0] * dims[1] * dims[2];
            if (dims[1] == 0 || dims[2] == 0 || values > MAX_VALUES) {
                throw new DatasetFormatException(file, "implausible image dimensions " + dims[0] + "x" + dims[1]
                        + "x" + dims[2]);
            }
            byte[] raw = readFully(file, in, (int) values, "pixels");
            float[] pixels = new float[raw.length];
            for (int i = 0; i < raw.length; i++) {
                pixels[i] = (raw[i] & 0xFF) / 255f;
            }
            return new Images(dims[0], dims[1], dims[2], pixels);
        } catch (IOException e) {
            throw new DatasetFormatException(file, "cannot be read: " + e.getMessage(), e);
        }
    }

    static int[] readLabels(Path file) {
        try (DataInputStream in = open(file)) {
            int[] dims = header(file, in, 1);
            if (dims[0] > MAX_VALUES) {
                throw new DatasetFormatException(file, "implausible label count " + dims[0]);
            }
            byte[] raw = readFully(file, in, dims[0], "labels");
            int[] labels = new int[raw.length];
            for (int i = 0; i < raw.length; i++) {
                labels[i] = raw[i] & 0xFF;
            }
            return labels;
        } catch (IOException e) {
            throw new DatasetFormatException(file, "cannot be read: " + e.getMessage(), e);
        }
    }

    /**
     * Opens a path from {@link #locate} without following a link, so a link put in its place after the
     * check is refused rather than followed.
     */
    static DataInputStream open(Path file) throws IOException {
        InputStream in = new BufferedInputStream(Files.newInputStream(file, LinkOption.NOFOLLOW_LINKS), 1 << 16);
        if (file.getFileName().toString().endsWith(".gz")) {
            try {
                in = new GZIPInputStream(in, 1 << 16);
            } catch (IOException e) {
                in.close();
                throw new DatasetFormatException(file, "is not a valid gzip file: " + e.getMessage(), e);
            }
        }
        return new DataInputStream(in);
    }

    private static int[] header(Path file, DataInputStream in, int expectedRank) throws IOException {
        int magic;
        try {
            magic = in.readInt();
        } catch (EOFException e) {
            throw new DatasetFormatException(file, "is truncated: no IDX header");
        }
        int type = (magic >>> 8) & 0xFF;
        int rank = magic & 0xFF;
        if ((magic >>> 16) != 0 || type != UNSIGNED_BYTE || rank != expectedRank) {
            throw new DatasetFormatException(file, String.format(
                    "wrong magic number 0x%08X: expected 0x%08X (unsigned bytes, %d dimension%s)", magic,
                    (UNSIGNED_BYTE << 8) | expectedRank, expectedRank, expectedRank == 1 ? "" : "s"));
        }
        int[] dims = new int[rank];
        for (int i = 0; i < rank; i++) {
            try {
                dims[i] = in.readInt();
            } catch (EOFException e) {
                throw new DatasetFormatException(file, "is truncated inside its header");
            }
            if (dims[i] < 0) {
                throw new DatasetFormatException(file, "has a negative dimension " + dims[i]);
            }
        }
        return dims;
    }

    private static byte[] readFully(Path file, DataInputStream in, int length, String what) throws IOException {
        byte[] data = new byte[length];
        int read = in.readNBytes(data, 0, length);
        if (read < length) {
            throw new DatasetFormatException(file, "is truncated: header promises " + length + " " + what
                    + " but only " + read + " are present");
        }
        return data;
    }
}
