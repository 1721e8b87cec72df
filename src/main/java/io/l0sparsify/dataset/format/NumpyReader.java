package io.l0sparsify.dataset.format;

import io.l0sparsify.dataset.DatasetFormat.Layout;
import io.l0sparsify.dataset.DatasetFormatException;
import io.l0sparsify.dataset.ExampleValues;
import io.l0sparsify.dataset.Examples;
import io.l0sparsify.dataset.InputShape;
import io.l0sparsify.dataset.LabelledDataset;
import io.l0sparsify.dataset.LabelledDataset.Splits;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Reads numpy arrays, as {@code np.savez}/{@code np.savez_compressed} write them (an {@code .npz}, a zip of
 * {@code .npy} files) or as separate {@code .npy} files in a zip, tar or tar.gz (under one top folder or not):
 * {@code x_train, y_train, x_test, y_test} (the file's own split) or {@code x, y} (split by the job). Other
 * arrays are passed over.
 *
 * <p>{@code x} is {@code [N, F]} features, {@code [N, H, W]} one-channel images, or {@code [N, H, W, C]}
 * ({@link Layout#NHWC}, the default) or {@code [N, C, H, W]} ({@link Layout#NCHW}) images with C = 1 or 3;
 * it becomes channel-first whatever its layout, byte order or C/Fortran order. {@code uint8} images stay
 * bytes; every other dtype becomes float32 and must be finite. {@code y} is {@code [N]} or {@code [N, 1]} of
 * whole numbers ≥ 0 (an integer, bool or float dtype); classes are named "0" to the largest label.
 */
final class NumpyReader {

    private static final List<String> SPLIT = List.of("x_train", "y_train", "x_test", "y_test");
    private static final List<String> UNSPLIT = List.of("x", "y");

    private NumpyReader() {}

    static LabelledDataset read(Path file, boolean npz, Layout layout, ExpansionBudget budget) {
        Layout effective = layout == null ? Layout.NHWC : layout;
        Map<String, NpyArray> arrays = new LinkedHashMap<>();
        Set<String> seen = new TreeSet<>();
        String formatName = npz ? "npz" : "npy";
        Archive.forEachEntry(file, npz ? Set.of(Archive.Kind.ZIP) : Archive.ANY, formatName, budget,
                (name, in) -> {
                    String base = Archive.baseName(name);
                    if (!base.endsWith(".npy")) {
                        return;
                    }
                    String array = base.substring(0, base.length() - 4);
                    seen.add(array);
                    if (SPLIT.contains(array) || UNSPLIT.contains(array)) {
                        if (arrays.containsKey(array)) {
                            throw new DatasetFormatException(file, "holds the array " + array + " twice");
                        }
                        arrays.put(array, NpyArray.read(file, name, in, budget));
                    }
                });
        boolean split = SPLIT.stream().anyMatch(arrays::containsKey);
        boolean unsplit = UNSPLIT.stream().anyMatch(arrays::containsKey);
        if (split && unsplit) {
            throw new DatasetFormatException(file, "holds both x_train/y_train/x_test/y_test and x/y: keep one set");
        }
        if (!split && !unsplit) {
            throw new DatasetFormatException(file, "holds none of the arrays x_train, y_train, x_test, y_test"
                    + " (or x, y)" + (seen.isEmpty() ? "; no .npy arrays at all" : "; its arrays: " + seen
                    + " (name them when saving: np.savez(f, x_train=..., y_train=..., x_test=..., y_test=...))"));
        }
        List<String> wanted = split ? SPLIT : UNSPLIT;
        for (String name : wanted) {
            if (!arrays.containsKey(name)) {
                throw new DatasetFormatException(file, "has no array " + name + " (it needs " + wanted + ")");
            }
        }
        List<String> xs = split ? List.of("x_train", "x_test") : List.of("x");
        boolean bytes = xs.stream().allMatch(x -> arrays.get(x).dtype().isUnsignedByte());
        List<Examples> parts = new ArrayList<>();
        InputShape shape = null;
        for (String x : xs) {
            String y = "y" + x.substring(1);
            Examples part = examples(file, split ? x.substring(2) : "all", arrays.get(x), arrays.get(y),
                    effective, bytes, budget.limits().maxClasses());
            if (shape != null && !shape.equals(part.shape())) {
                throw new DatasetFormatException(file, x + ": examples of shape " + part.shape()
                        + " but x_train's are " + shape);
            }
            shape = part.shape();
            arrays.remove(x); // the raw bytes can go as soon as they are converted
            parts.add(part);
        }
        Splits splits = split ? new Splits.Given(parts.get(0), parts.get(1)) : new Splits.Unsplit(parts.get(0));
        return new LabelledDataset(shape, ClassLabels.numbered(parts), splits);
    }

    private static Examples examples(Path file, String splitName, NpyArray x, NpyArray y, Layout layout,
            boolean keepBytes, int maxClasses) {
        String xName = arrayName(x);
        String yName = arrayName(y);
        long[] s = x.shape();
        if (s.length < 2 || s.length > 4) {
            throw new DatasetFormatException(file, xName + " has shape " + x.shapeText() + ": expected [N, F]"
                    + " features, [N, H, W] images, [N, H, W, C] or (layout NCHW) [N, C, H, W]");
        }
        long n = s[0];
        if (n == 0) {
            throw new DatasetFormatException(file, xName + " has no examples (shape " + x.shapeText() + ")");
        }
        if (y.shape().length < 1 || y.shape().length > 2 || (y.shape().length == 2 && y.shape()[1] != 1)) {
            throw new DatasetFormatException(file, yName + " has shape " + y.shapeText()
                    + ": labels are [N] or [N, 1]");
        }
        if (y.shape()[0] != n) {
            throw new DatasetFormatException(file, yName + " has " + y.shape()[0] + " labels but " + xName + " has "
                    + n + " examples");
        }
        for (int i = 1; i < s.length; i++) {
            if (s[i] == 0) {
                throw new DatasetFormatException(file, xName + " has shape " + x.shapeText()
                        + ": every dimension of an example must be positive");
            }
        }
        // the source's element stride per axis, in the order the data are stored
        long[] stride = new long[s.length];
        if (x.fortranOrder()) {
            stride[0] = 1;
            for (int i = 1; i < s.length; i++) {
                stride[i] = stride[i - 1] * s[i - 1];
            }
        } else {
            stride[s.length - 1] = 1;
            for (int i = s.length - 2; i >= 0; i--) {
                stride[i] = stride[i + 1] * s[i + 1];
            }
        }
        // the example as [A, B, D] channel-first, each axis with its stride in the source (0: an axis of 1)
        long[] dims;
        long[] strides;
        InputShape shape;
        switch (s.length) {
            case 2 -> {
                dims = new long[] {1, 1, s[1]};
                strides = new long[] {0, 0, stride[1]};
                shape = InputShape.features(Math.toIntExact(s[1]));
            }
            case 3 -> {
                dims = new long[] {1, s[1], s[2]};
                strides = new long[] {0, stride[1], stride[2]};
                shape = InputShape.image(1, Math.toIntExact(s[1]), Math.toIntExact(s[2]));
            }
            default -> {
                boolean nhwc = layout == Layout.NHWC;
                long c = nhwc ? s[3] : s[1];
                if (c != 1 && c != 3) {
                    throw new DatasetFormatException(file, xName + " has shape " + x.shapeText() + ": read as "
                            + layout + " its images have " + c + " channels, but images have 1 or 3"
                            + (nhwc ? " (for [N, C, H, W] arrays state the layout NCHW)"
                                    : " (for [N, H, W, C] arrays state the layout NHWC)"));
                }
                long h = nhwc ? s[1] : s[2];
                long w = nhwc ? s[2] : s[3];
                dims = new long[] {c, h, w};
                strides = nhwc ? new long[] {stride[3], stride[1], stride[2]}
                        : new long[] {stride[1], stride[2], stride[3]};
                shape = InputShape.image((int) c, Math.toIntExact(h), Math.toIntExact(w));
            }
        }
        int exampleSize = shape.size();
        int count = Math.toIntExact(n);
        int total = Math.toIntExact((long) count * exampleSize);
        ExampleValues values;
        ByteBuffer source = x.buffer();
        if (keepBytes && isStoredInOrder(stride, dims, strides, exampleSize)) {
            // already [N, C, H, W] (or [N, H, W], [N, F]) in C order: the bytes are the examples as they are
            values = new ExampleValues.UnsignedBytes(x.data());
        } else if (keepBytes) {
            byte[] out = new byte[total];
            byte[] raw = x.data();
            int i = 0;
            for (long e = 0; e < n; e++) {
                for (long a = 0; a < dims[0]; a++) {
                    for (long b = 0; b < dims[1]; b++) {
                        long at = e * stride[0] + a * strides[0] + b * strides[1];
                        for (long d = 0; d < dims[2]; d++) {
                            out[i++] = raw[(int) (at + d * strides[2])];
                        }
                    }
                }
            }
            values = new ExampleValues.UnsignedBytes(out);
        } else {
            float[] out = new float[total];
            int i = 0;
            for (long e = 0; e < n; e++) {
                for (long a = 0; a < dims[0]; a++) {
                    for (long b = 0; b < dims[1]; b++) {
                        long at = e * stride[0] + a * strides[0] + b * strides[1];
                        for (long d = 0; d < dims[2]; d++) {
                            float v = (float) x.get(source, at + d * strides[2]);
                            if (!Float.isFinite(v)) {
                                throw new DatasetFormatException(file, xName + ": example " + e + " holds "
                                        + x.get(source, at + d * strides[2]) + " (at flat position " + (i - e
                                        * exampleSize) + " of the example): features must be finite float32"
                                        + " numbers");
                            }
                            out[i++] = v;
                        }
                    }
                }
            }
            values = new ExampleValues.Floats(out);
        }
        int[] labels = new int[count];
        ByteBuffer yBuffer = y.buffer();
        // [N] and [N, 1] store the labels one after another in either order
        for (int i = 0; i < count; i++) {
            labels[i] = ClassLabels.check(file, y.get(yBuffer, i), maxClasses, yName + "[" + i + "]");
        }
        return new Examples(splitName, shape, values, labels);
    }

    /** Whether walking the example's axes in output order visits the source's elements one after another. */
    private static boolean isStoredInOrder(long[] stride, long[] dims, long[] strides, int exampleSize) {
        if (stride[0] != exampleSize) {
            return false;
        }
        long expected = 1;
        for (int axis = dims.length - 1; axis >= 0; axis--) {
            if (dims[axis] > 1 && strides[axis] != expected) {
                return false;
            }
            expected *= dims[axis];
        }
        return true;
    }

    private static String arrayName(NpyArray array) {
        String base = Archive.baseName(array.name());
        return base.substring(0, base.length() - 4);
    }
}
