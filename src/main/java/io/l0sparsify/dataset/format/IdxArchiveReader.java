package io.l0sparsify.dataset.format;

import io.l0sparsify.dataset.DatasetFormatException;
import io.l0sparsify.dataset.ExampleValues;
import io.l0sparsify.dataset.Examples;
import io.l0sparsify.dataset.InputShape;
import io.l0sparsify.dataset.LabelledDataset;
import io.l0sparsify.dataset.LabelledDataset.Splits;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads the four files of MNIST's layout (LeCun et al.) from a zip, tar or tar.gz, at its top or under one
 * folder, each gzipped ({@code .gz}) or not: {@code train-images-idx3-ubyte}, {@code train-labels-idx1-ubyte},
 * {@code t10k-images-idx3-ubyte}, {@code t10k-labels-idx1-ubyte} (the copies that spell {@code images.idx3} with
 * a dot are found too). An IDX file is a big-endian header {@code 0x00 0x00 0x08 rank} ({@code 0x00000803}
 * for images, {@code 0x00000801} for labels), one int32 per dimension, then unsigned bytes. Images become
 * {@code [1, H, W]} unsigned bytes; the train/test split is the files'.
 */
final class IdxArchiveReader {

    private static final List<String> FILES = List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte",
            "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte");

    /** One parsed IDX file: its dimensions and its bytes. */
    private record Idx(String entry, int[] dims, byte[] data) {}

    private IdxArchiveReader() {}

    static LabelledDataset read(Path file, ExpansionBudget budget) {
        Map<String, Idx> found = new HashMap<>();
        Archive.forEachEntry(file, Archive.ANY, "idx", budget, (name, in) -> {
            String base = Archive.baseName(name);
            boolean gzipped = base.endsWith(".gz");
            String plain = (gzipped ? base.substring(0, base.length() - 3) : base).replace('.', '-');
            int which = FILES.indexOf(plain);
            if (which < 0) {
                return;
            }
            if (found.containsKey(plain)) {
                throw new DatasetFormatException(file, "holds " + plain + " twice (" + found.get(plain).entry()
                        + " and " + name + ")");
            }
            InputStream data = gzipped ? Archive.gunzip(in, budget) : in;
            found.put(plain, parse(file, name, data, which % 2 == 0 ? 3 : 1, budget));
        });
        for (String name : FILES) {
            if (!found.containsKey(name)) {
                throw new DatasetFormatException(file, "has no " + name + " (nor " + name + ".gz); an idx dataset"
                        + " holds the four files " + String.join(", ", FILES));
            }
        }
        Examples train = examples(file, "train", found.get(FILES.get(0)), found.get(FILES.get(1)),
                budget.limits().maxClasses());
        Examples test = examples(file, "test", found.get(FILES.get(2)), found.get(FILES.get(3)),
                budget.limits().maxClasses());
        if (!train.shape().equals(test.shape())) {
            throw new DatasetFormatException(file, found.get(FILES.get(2)).entry() + ": test images are "
                    + test.shape() + " but training images are " + train.shape());
        }
        return new LabelledDataset(train.shape(), ClassLabels.numbered(List.of(train, test)),
                new Splits.Given(train, test));
    }

    private static Examples examples(Path file, String split, Idx images, Idx labels, int maxClasses) {
        int count = images.dims()[0];
        if (labels.dims()[0] != count) {
            throw new DatasetFormatException(file, labels.entry() + ": has " + labels.dims()[0] + " labels but "
                    + images.entry() + " has " + count + " images");
        }
        if (count == 0) {
            throw new DatasetFormatException(file, images.entry() + ": holds no images");
        }
        int[] classes = new int[count];
        for (int i = 0; i < count; i++) {
            classes[i] = ClassLabels.check(file, labels.data()[i] & 0xFF, maxClasses,
                    labels.entry() + ": label " + i);
        }
        InputShape shape = InputShape.image(1, images.dims()[1], images.dims()[2]);
        return new Examples(split, shape, new ExampleValues.UnsignedBytes(images.data()), classes);
    }

    private static Idx parse(Path file, String entry, InputStream stream, int rank, ExpansionBudget budget)
            throws IOException {
        DataInputStream in = new DataInputStream(stream);
        int magic;
        try {
            magic = in.readInt();
        } catch (EOFException e) {
            throw new DatasetFormatException(file, entry + ": truncated, no IDX header");
        }
        int expected = 0x0800 | rank;
        if (magic != expected) {
            throw new DatasetFormatException(file, entry + String.format(": wrong magic number 0x%08X: expected"
                    + " 0x%08X (unsigned bytes, %d dimension%s)", magic, expected, rank, rank == 1 ? "" : "s"));
        }
        int[] dims = new int[rank];
        long values = 1;
        for (int i = 0; i < rank; i++) {
            try {
                dims[i] = in.readInt();
            } catch (EOFException e) {
                throw new DatasetFormatException(file, entry + ": truncated inside its header");
            }
            if (dims[i] < 0 || (i > 0 && dims[i] == 0)) {
                throw new DatasetFormatException(file, entry + ": implausible dimension " + dims[i]);
            }
            values *= dims[i];
        }
        String promise = entry + ": " + dims[0] + (rank == 3 ? " images of " + dims[1] + "x" + dims[2] : " labels");
        budget.checkPromise(values, promise);
        if (values > NpyArray.MAX_ARRAY) {
            throw new DatasetFormatException(file, promise + " are more bytes than one array holds");
        }
        // checked against the data limit above: allocating the promise is bounded whatever the file holds
        byte[] data = new byte[(int) values];
        int read = in.readNBytes(data, 0, data.length);
        if (read < values) {
            throw new DatasetFormatException(file, entry + ": truncated: its header promises " + values
                    + " bytes of data but only " + read + " follow");
        }
        if (in.read() >= 0) {
            throw new DatasetFormatException(file, entry + ": holds more bytes than its header describes ("
                    + promise + ")");
        }
        return new Idx(entry, dims, data);
    }
}
