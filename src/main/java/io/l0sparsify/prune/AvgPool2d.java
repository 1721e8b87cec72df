package io.l0sparsify.prune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.pooling.Pool;

/**
 * PyTorch's {@code avg_pool2d(x, size, stride, padding, ceil_mode=False, count_include_pad)} on DJL, for the trained
 * network and the pruned one alike.
 *
 * <pre>
 *   x: [batch, C, H, W]   y: [batch, C, ⌊(H + 2p − size)/stride⌋ + 1, ⌊(W + 2p − size)/stride⌋ + 1]
 *   y = Σ window / size²                          (countIncludePad)
 *   y = Σ window / #(window's positions in the map)   (otherwise)
 * </pre>
 *
 * DJL 0.36's PyTorch engine drops the {@code countIncludePad} flag on its way to libtorch and always divides by
 * size², so without it the mean is that result divided by the same pooling of a map of ones, which is each window's
 * share of positions inside the map: {@code (S/size²) / (n/size²) = S/n}.
 */
public final class AvgPool2d {

    private AvgPool2d() {}

    public static NDArray apply(NDArray x, int size, int stride, int padding, boolean countIncludePad) {
        Shape window = new Shape(size, size);
        Shape strides = new Shape(stride, stride);
        Shape pads = new Shape(padding, padding);
        NDArray mean = Pool.avgPool2d(x, window, strides, pads, false, true);
        if (countIncludePad || padding == 0) {
            return mean;
        }
        Shape shape = x.getShape();
        NDArray ones = x.getManager().ones(new Shape(1, 1, shape.get(2), shape.get(3)), x.getDataType(),
                x.getDevice());
        return mean.div(Pool.avgPool2d(ones, window, strides, pads, false, true));
    }
}
