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
import java.util.stream.IntStream;
import java.util.zip.GZIPInputStream;

/**
 * Reads the IDX format of MNIST (LeCun et al.): a big-endian header {@code 0x00 0x00 type rank}, one int
 * per dimension, then the data. Images are unsigned bytes, kept as they are (shape {@code [1, rows, cols]});
 * labels unsigned bytes, whose classes are named "0", "1", … up to the largest label of either split.
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
    /** The longest Java array: a file asking for more cannot be read into one, whatever its content. */
    private static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    /** No cap on the examples read. */
    public static final int ALL = Integer.MAX_VALUE;

    private IdxReader() {}

    /** Reads every example of the four MNIST-layout files in {@code dir}. */
    public static LabelledDataset readSplit(Path dir) {
        return readSplit(dir, ALL, ALL);
    }

    /**
     * Reads the first {@code maxTrain} training and {@code maxTest} test examples of the four MNIST-layout files
     * in {@code dir}: the caps bound what is read and allocated, so a cap of 100 reads 100 images of a file
     * that holds (or claims to hold) millions.
     */
    public static LabelledDataset readSplit(Path dir, int maxTrain, int maxTest) {
        Examples train = read(dir, FILES.get(0), FILES.get(1), maxTrain);
        Examples test = read(dir, FILES.get(2), FILES.get(3), maxTest);
        if (!train.shape().equals(test.shape())) {
            throw new DatasetFormatException(locate(dir, FILES.get(2)), "test images are " + size(test.shape())
                    + " but training images are " + size(train.shape()));
        }
        int classes = Math.max(train.labelBound(), test.labelBound());
        List<String> names = IntStream.range(0, classes).mapToObj(Integer::toString).toList();
        return new LabelledDataset(train.shape(), names, new LabelledDataset.Splits.Given(train, test));
    }

    private static String size(InputShape image) {
        return image.dims().get(1) + "x" + image.dims().get(2);
    }

    /** True when all four files (plain or gzipped) are regular files really lying in {@code dir}. */
    public static boolean isComplete(Path dir) {
        return FILES.stream().allMatch(f -> find(dir, f).isPresent());
    }

    /** Reads one images file and its labels file and checks that their counts agree. */
    public static Examples read(Path dir, String imagesName, String labelsName) {
        return read(dir, imagesName, labelsName, ALL);
    }

    /**
     * Reads the first {@code maxExamples} images and labels of one pair of files. Both headers are checked (the
     * counts agree, every dimension is positive, the images fit in one array) before anything is allocated, and
     * the data is then read as it arrives: a header that promises more than the file holds fails as truncated
     * having allocated no more than the file's real content.
     */
    public static Examples read(Path dir, String imagesName, String labelsName, int maxExamples) {
        Path imagesFile = locate(dir, imagesName);
        Path labelsFile = locate(dir, labelsName);
        try (DataInputStream images = open(imagesFile); DataInputStream labels = open(labelsFile)) {
            int[] imageDims = header(imagesFile, images, 3);
            int[] labelDims = header(labelsFile, labels, 1);
            int count = imageDims[0];
            int rows = imageDims[1];
            int cols = imageDims[2];
            if (rows == 0 || cols == 0) {
                throw new DatasetFormatException(imagesFile, "implausible image dimensions " + count + "x" + rows
                        + "x" + cols + ": images need at least one row and one column");
            }
            if ((long) rows * cols > MAX_ARRAY) {
                throw new DatasetFormatException(imagesFile, "implausible image dimensions " + rows + "x" + cols
                        + ": one image would be larger than one array holds (" + MAX_ARRAY + ")");
            }
            if (labelDims[0] != count) {
                throw new DatasetFormatException(labelsFile, "has " + labelDims[0] + " labels but "
                        + imagesFile.getFileName() + " has " + count + " images");
            }
            int examples = Math.min(count, maxExamples);
            long values = (long) examples * rows * cols;
            if (values > MAX_ARRAY) {
                throw new DatasetFormatException(imagesFile, examples + " images of " + rows + "x" + cols + " are "
                        + values + " pixels, more than one array holds (" + MAX_ARRAY + "); cap the examples read"
                        + " (l0.datasets.max-train-examples, max-test-examples)");
            }
            return new Examples(imagesName, InputShape.image(1, rows, cols), new ExampleValues.UnsignedBytes(
                    readUpTo(imagesFile, images, (int) values, "pixels")),
                    labels(readUpTo(labelsFile, labels, examples, "labels")));
        } catch (IOException e) {
            throw new DatasetFormatException(imagesFile, "cannot be read: " + FileFailures.reason(e), e);
        }
    }

    /** The real path of {@code name} (or {@code name.gz}) in {@code dir}, checked as the class says. */
    static Path locate(Path dir, String name) {
        return find(dir, name).orElseThrow(() -> new DatasetFormatException(dir.resolve(name), "not found in "
                + dir.getFileName() + " as a file of that directory (neither " + name + " nor " + name + ".gz)"));
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

    private static int[] labels(byte[] raw) {
        int[] labels = new int[raw.length];
        for (int i = 0; i < raw.length; i++) {
            labels[i] = raw[i] & 0xFF;
        }
        return labels;
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
            // the file's own bytes are not quoted: an error must not become a way to read files
            throw new DatasetFormatException(file, String.format(
                    "wrong magic number: expected 0x%08X (unsigned bytes, %d dimension%s)",
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

    /**
     * The next {@code length} bytes, or a truncation error. {@link InputStream#readNBytes(int)} grows its buffer
     * with the data it actually receives, so a header's promise alone allocates nothing.
     */
    private static byte[] readUpTo(Path file, InputStream in, int length, String what) throws IOException {
        byte[] data = in.readNBytes(length);
        if (data.length < length) {
            throw new DatasetFormatException(file, "is truncated: header promises " + length + " " + what
                    + " but only " + data.length + " are present");
        }
        return data;
    }
}
