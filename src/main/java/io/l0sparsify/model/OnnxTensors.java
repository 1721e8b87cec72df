package io.l0sparsify.model;

import ai.onnx.proto.OnnxMl.TensorProto;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Decodes the values of ONNX tensors kept inside the file: float32 weights, and int64 or int32 integers (shapes,
 * indices, axes), stored either as little-endian {@code raw_data} or in the typed repeated fields. The stored
 * amount must match the dimensions exactly.
 */
final class OnnxTensors {

    static final int FLOAT = TensorProto.DataType.FLOAT_VALUE;
    static final int INT64 = TensorProto.DataType.INT64_VALUE;
    static final int INT32 = TensorProto.DataType.INT32_VALUE;

    private OnnxTensors() {}

    /** What is wrong with a tensor, in words that follow its name. */
    static final class BadTensorException extends Exception {
        BadTensorException(String message) {
            super(message);
        }
    }

    /** The dimensions, each at most {@link Integer#MAX_VALUE} with a product that an array can hold. */
    static List<Integer> dims(TensorProto t) throws BadTensorException {
        long count = 1;
        List<Integer> dims = new ArrayList<>();
        for (long d : t.getDimsList()) {
            if (d < 0 || d > Integer.MAX_VALUE || (count *= Math.max(d, 1)) > Integer.MAX_VALUE) {
                throw new BadTensorException("has dimensions " + t.getDimsList() + " that cannot be held");
            }
            dims.add((int) d);
        }
        return List.copyOf(dims);
    }

    static Weights floats(TensorProto t, String name) throws BadTensorException {
        List<Integer> dims = dims(t);
        int n = count(dims);
        float[] data = new float[n];
        if (t.hasRawData()) {
            checkBytes(t, dims, 4L * n);
            ByteBuffer.wrap(t.getRawData().toByteArray()).order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(data);
        } else {
            checkCount(t.getFloatDataCount(), dims, n);
            for (int k = 0; k < n; k++) {
                data[k] = t.getFloatData(k);
            }
        }
        return new Weights(name, dims, data);
    }

    static List<Long> ints(TensorProto t) throws BadTensorException {
        List<Integer> dims = dims(t);
        int n = count(dims);
        boolean wide = t.getDataType() == INT64;
        List<Long> ints = new ArrayList<>(n);
        if (t.hasRawData()) {
            int width = wide ? 8 : 4;
            checkBytes(t, dims, (long) width * n);
            ByteBuffer bytes = ByteBuffer.wrap(t.getRawData().toByteArray()).order(ByteOrder.LITTLE_ENDIAN);
            for (int k = 0; k < n; k++) {
                ints.add(wide ? bytes.getLong() : bytes.getInt());
            }
        } else {
            checkCount(wide ? t.getInt64DataCount() : t.getInt32DataCount(), dims, n);
            for (int k = 0; k < n; k++) {
                ints.add(wide ? t.getInt64Data(k) : (long) t.getInt32Data(k));
            }
        }
        return List.copyOf(ints);
    }

    private static int count(List<Integer> dims) {
        long n = 1;
        for (int d : dims) {
            n *= d;
        }
        return (int) n;
    }

    private static void checkBytes(TensorProto t, List<Integer> dims, long needed) throws BadTensorException {
        if (t.getRawData().size() != needed) {
            throw new BadTensorException("holds " + t.getRawData().size() + " bytes but its dimensions " + dims
                    + " need " + needed);
        }
    }

    private static void checkCount(int stored, List<Integer> dims, int needed) throws BadTensorException {
        if (stored != needed) {
            throw new BadTensorException("holds " + stored + " values but its dimensions " + dims + " need " + needed);
        }
    }
}
