package io.l0sparsify.dataset;

import java.util.Arrays;

/**
 * Labelled examples of one shape: the stored values and one class index per example.
 *
 * @param name where they came from (for messages), e.g. {@code train}
 * @param shape the shape of one example
 * @param values {@code size() · shape.size()} values
 * @param labels class indices, each in [0, classes)
 */
public record Examples(String name, InputShape shape, ExampleValues values, int[] labels) {

    public Examples {
        if (values.length() != (long) labels.length * shape.size()) {
            throw new IllegalArgumentException(name + ": " + labels.length + " labels but " + values.length()
                    + " values for examples of shape " + shape);
        }
    }

    public int size() {
        return labels.length;
    }

    /**
     * Writes example {@code example}, preprocessed, into {@code destination} from {@code offset}: the one place
     * stored values become network input, so training, evaluation and the exported model's recorded
     * preprocessing cannot disagree.
     */
    public void copyInto(int example, Preprocessing preprocessing, float[] destination, int offset) {
        copyInto(example, preprocessing, ByteTable.of(this, preprocessing, shape.size()), destination, offset);
    }

    /**
     * The examples {@code order[start], …, order[start + count − 1]}, preprocessed, one after another into
     * {@code destination} from 0: how a minibatch is formed from the compact stored values.
     */
    public void copyInto(int[] order, int start, int count, Preprocessing preprocessing, float[] destination) {
        int exampleSize = shape.size();
        ByteTable table = ByteTable.of(this, preprocessing, (long) count * exampleSize);
        for (int i = 0; i < count; i++) {
            copyInto(order[start + i], preprocessing, table, destination, i * exampleSize);
        }
    }

    /** Examples {@code start, …, start + count − 1}, preprocessed, into {@code destination} from 0. */
    public void copyRangeInto(int start, int count, Preprocessing preprocessing, float[] destination) {
        int exampleSize = shape.size();
        ByteTable table = ByteTable.of(this, preprocessing, (long) count * exampleSize);
        for (int i = 0; i < count; i++) {
            copyInto(start + i, preprocessing, table, destination, i * exampleSize);
        }
    }

    /**
     * For byte values, the preprocessed float of each of the 256 bytes, per channel: a copy then looks values up
     * instead of computing them, the same floats without a double-precision division per value (which took 7 % of
     * the MLP's training loop in a profile). Channels with the same mean and standard deviation share one table; a
     * table for all of them at once ({@code uniform}) is read in one loop over the example.
     */
    record ByteTable(float[][] channels, boolean uniform) {

        /** The table for copying {@code values} values, or null where computing them costs less than the table. */
        static ByteTable of(Examples examples, Preprocessing preprocessing, long values) {
            if (!(examples.values() instanceof ExampleValues.UnsignedBytes)) {
                return null;
            }
            int count = examples.shape().channels();
            float[][] channels = new float[count][];
            int made = 0;
            for (int c = 0; c < count; c++) {
                double mean = preprocessing.meanOf(c);
                double std = preprocessing.stdOf(c);
                if (c > 0 && mean == preprocessing.meanOf(c - 1) && std == preprocessing.stdOf(c - 1)) {
                    channels[c] = channels[c - 1];
                    continue;
                }
                // a feature vector standardised per feature has a table per feature: worth it only for many copies
                if ((long) ++made * 256 > values) {
                    return null;
                }
                float[] table = new float[256];
                for (int b = 0; b < 256; b++) {
                    table[b] = preprocessing.apply(b, mean, std);
                }
                channels[c] = table;
            }
            return new ByteTable(channels, made == 1);
        }
    }

    /** {@link #copyInto(int, Preprocessing, float[], int)} with the byte table made for the whole copy (or null). */
    void copyInto(int example, Preprocessing preprocessing, ByteTable table, float[] destination, int offset) {
        int channels = shape.channels();
        int perChannel = shape.valuesPerChannel();
        int from = example * shape.size();
        if (table != null && values instanceof ExampleValues.UnsignedBytes(byte[] bytes)) {
            if (table.uniform()) {
                float[] lookup = table.channels()[0];
                for (int i = 0, size = channels * perChannel; i < size; i++) {
                    destination[offset + i] = lookup[bytes[from + i] & 0xFF];
                }
                return;
            }
            for (int c = 0, i = 0; c < channels; c++) {
                float[] lookup = table.channels()[c];
                for (int end = i + perChannel; i < end; i++) {
                    destination[offset + i] = lookup[bytes[from + i] & 0xFF];
                }
            }
            return;
        }
        // channel by channel, so the mean and standard deviation are looked up once per channel, not per value
        for (int c = 0, i = 0; c < channels; c++) {
            double mean = preprocessing.meanOf(c);
            double std = preprocessing.stdOf(c);
            int end = i + perChannel;
            switch (values) {
                case ExampleValues.UnsignedBytes(byte[] bytes) -> {
                    for (; i < end; i++) {
                        destination[offset + i] = preprocessing.apply(bytes[from + i] & 0xFF, mean, std);
                    }
                }
                case ExampleValues.Floats(float[] floats) -> {
                    for (; i < end; i++) {
                        destination[offset + i] = preprocessing.apply(floats[from + i], mean, std);
                    }
                }
            }
        }
    }

    /**
     * The same examples seen in another shape of the same size (an image as a flat feature vector, channel then
     * row then column): the stored values are shared, not copied.
     */
    public Examples reshaped(InputShape newShape) {
        if (newShape.size() != shape.size()) {
            throw new IllegalArgumentException(name + ": examples of shape " + shape + " cannot be seen as "
                    + newShape);
        }
        return new Examples(name, newShape, values, labels);
    }

    /** The examples at {@code indices}, in that order. */
    public Examples select(String newName, int[] indices) {
        int exampleSize = shape.size();
        int[] newLabels = new int[indices.length];
        ExampleValues newValues = switch (values) {
            case ExampleValues.UnsignedBytes(byte[] bytes) -> {
                byte[] out = new byte[Math.multiplyExact(indices.length, exampleSize)];
                for (int i = 0; i < indices.length; i++) {
                    System.arraycopy(bytes, indices[i] * exampleSize, out, i * exampleSize, exampleSize);
                }
                yield new ExampleValues.UnsignedBytes(out);
            }
            case ExampleValues.Floats(float[] floats) -> {
                float[] out = new float[Math.multiplyExact(indices.length, exampleSize)];
                for (int i = 0; i < indices.length; i++) {
                    System.arraycopy(floats, indices[i] * exampleSize, out, i * exampleSize, exampleSize);
                }
                yield new ExampleValues.Floats(out);
            }
        };
        for (int i = 0; i < indices.length; i++) {
            newLabels[i] = labels[indices[i]];
        }
        return new Examples(newName, shape, newValues, newLabels);
    }

    /** The first {@code n} examples (all when n ≥ size), for short runs and tests. */
    public Examples head(int n) {
        if (n >= size()) {
            return this;
        }
        int[] first = new int[n];
        Arrays.setAll(first, i -> i);
        return select(name + "[0:" + n + "]", first);
    }

    /** Examples per class index, for {@code classes} classes. */
    public long[] classCounts(int classes) {
        long[] counts = new long[classes];
        for (int label : labels) {
            counts[label]++;
        }
        return counts;
    }

    /** The largest label plus one (0 when empty). */
    public int labelBound() {
        int max = -1;
        for (int label : labels) {
            max = Math.max(max, label);
        }
        return max + 1;
    }
}
