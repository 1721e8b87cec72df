package io.l0sparsify.l0;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.types.Shape;

/**
 * Moving data between the Java heap and PyTorch without aliasing Java-owned memory.
 *
 * <p>On the CPU, DJL's PyTorch engine wraps a Java direct buffer with {@code from_blob} instead of
 * copying it, and {@code NDArray.set(Buffer)} swaps a tensor's storage for such a buffer; the memory is
 * then only as alive as the Java wrapper that references it. Arrays that take part in autograd or live
 * for a whole run (inputs, gate noise, parameters) are therefore copied into PyTorch-allocated memory
 * here, and parameters are written in place with tensor operations.
 */
final class NativeArrays {

    private NativeArrays() {}

    /** A PyTorch-owned array holding {@code values}, on {@code manager}. */
    static NDArray create(NDManager manager, float[] values, int offset, Shape shape) {
        int length = Math.toIntExact(shape.size());
        NDArray staged = manager.create(java.nio.FloatBuffer.wrap(values, offset, length).slice(), shape);
        NDArray owned = staged.duplicate();
        staged.close();
        return owned;
    }

    /** A PyTorch-owned int64 array. */
    static NDArray create(NDManager manager, long[] values, int length) {
        NDArray staged = manager.create(java.nio.LongBuffer.wrap(values, 0, length).slice(), new Shape(length));
        NDArray owned = staged.duplicate();
        staged.close();
        return owned;
    }

    /** Overwrites {@code target} in place (its storage stays PyTorch's) with {@code values}. */
    static void assign(NDArray target, float[] values) {
        try (NDScope ignored = new NDScope()) {
            NDArray source = target.getManager().create(values, target.getShape());
            target.muli(0).addi(source);
        }
    }
}
