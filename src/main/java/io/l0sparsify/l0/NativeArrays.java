package io.l0sparsify.l0;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Moving data between the Java heap and PyTorch without aliasing Java-owned memory.
 *
 * <p>On the CPU, DJL's PyTorch engine wraps a Java direct buffer with {@code from_blob} instead of
 * copying it, and {@code NDArray.set(Buffer)} swaps a tensor's storage for such a buffer; the memory is
 * then only as alive as the Java wrapper that references it. Arrays that take part in autograd or live
 * for a whole run (inputs, gate noise, parameters) are therefore cloned into PyTorch-allocated memory
 * here, and parameters are written in place with tensor operations.
 */
final class NativeArrays {

    private NativeArrays() {}

    /**
     * A reusable direct buffer for host-to-tensor copies: one per producer (batch inputs, labels, noise),
     * grown on demand, so a training step allocates no direct memory of its own.
     */
    static final class Staging {
        private ByteBuffer buffer = ByteBuffer.allocateDirect(0);

        /** A PyTorch-owned float32 array holding {@code values[offset, offset + shape.size())}. */
        NDArray floats(NDManager manager, float[] values, int offset, Shape shape) {
            int length = Math.toIntExact(shape.size());
            ByteBuffer view = reserve(length * Float.BYTES);
            view.asFloatBuffer().put(values, offset, length);
            return cloneOf(manager, view, shape, DataType.FLOAT32);
        }

        /** A PyTorch-owned int64 array holding {@code values[offset, offset + length)}. */
        NDArray longs(NDManager manager, long[] values, int offset, int length) {
            ByteBuffer view = reserve(length * Long.BYTES);
            view.asLongBuffer().put(values, offset, length);
            return cloneOf(manager, view, new Shape(length), DataType.INT64);
        }

        private ByteBuffer reserve(int bytes) {
            if (buffer.capacity() < bytes) {
                buffer = ByteBuffer.allocateDirect(bytes);
            }
            ByteBuffer view = buffer.duplicate();
            view.clear().limit(bytes);
            return view.slice().order(ByteOrder.nativeOrder());
        }

        private static NDArray cloneOf(NDManager manager, ByteBuffer view, Shape shape, DataType type) {
            // The staged tensor aliases the reused buffer; its clone owns a copy and outlives it.
            NDArray staged = manager.create(view, shape, type);
            NDArray owned = staged.duplicate();
            staged.close();
            return owned;
        }
    }

    /** Overwrites {@code target} in place (its storage stays PyTorch's) with {@code values}. */
    static void assign(NDArray target, float[] values) {
        try (NDScope ignored = new NDScope()) {
            NDArray source = target.getManager().create(values, target.getShape());
            target.muli(0).addi(source.toDevice(target.getDevice(), false));
        }
    }

    /** Overwrites {@code target} in place with {@code source}, which may live on another device. */
    static void assign(NDArray target, NDArray source) {
        try (NDScope ignored = new NDScope()) {
            target.muli(0).addi(source.toDevice(target.getDevice(), false));
        }
    }
}
