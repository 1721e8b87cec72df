package io.l0sparsify.l0;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A 2-D convolution with one hard-concrete gate per OUTPUT feature map: the gate scales a filter and its
 * bias together, so a closed gate removes the whole feature map.
 *
 * <pre>
 *   y = conv(x, W ⊙ z[:,∅,∅,∅], b ⊙ z)        (one sample per minibatch, z: [filters])
 *   y = conv(x, W, b) ⊙ z[:, :, ∅, ∅]          (one sample per example,  z: [batch, filters])
 *   x: [batch, channels, H, W]   W: [filters, channels, k, k]   b, log α: [filters]
 *   y: [batch, filters, ⌊(H + 2p − d(k − 1) − 1)/s⌋ + 1, ⌊(W + 2p − d(k − 1) − 1)/s⌋ + 1]   (d: dilation)
 * </pre>
 *
 * When batch normalization follows, the gates act after it instead ({@link #deferGate()}, {@link BatchNormLayer}):
 * on the conv output a closed gate's zero would become the constant β − γμ/σ.
 */
public final class GatedConv2d extends AbstractGatedLayer {

    private final int filters;
    private final int kernel;
    private final int stride;
    private final int padding;
    private final int dilation;
    private int inChannels = -1;
    private long outHeight;
    private long outWidth;
    /** Set when the batch normalization that follows applies this layer's gates. */
    private boolean gateDeferred;

    GatedConv2d(int filters, int kernel, int stride, int padding, int dilation, boolean gated,
            HardConcreteGate gate, GateNoise noise, boolean perExampleGates) {
        super(gated, gate, noise, perExampleGates);
        this.filters = filters;
        this.kernel = kernel;
        this.stride = stride;
        this.padding = padding;
        this.dilation = dilation;
    }

    /** Leaves the output ungated: the {@link BatchNormLayer} after this layer applies the gates. */
    void deferGate() {
        gateDeferred = true;
    }

    public boolean gateDeferred() {
        return gateDeferred;
    }

    public int filters() {
        return filters;
    }

    public int inChannels() {
        return inChannels;
    }

    public int kernel() {
        return kernel;
    }

    @Override
    public int groups() {
        return filters;
    }

    @Override
    public int groupSize() {
        return inChannels * kernel * kernel + 1;
    }

    @Override
    protected void prepare(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        inChannels = Math.toIntExact(in.get(1));
        outHeight = outExtent(in.get(2));
        outWidth = outExtent(in.get(3));
        weight().setShape(new Shape(filters, inChannels, kernel, kernel));
        bias().setShape(new Shape(filters));
        if (gated()) {
            logAlpha().setShape(new Shape(filters));
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        Shape in = inputShapes[0];
        return new Shape[] {new Shape(in.get(0), filters, outExtent(in.get(2)), outExtent(in.get(3)))};
    }

    private long outExtent(long in) {
        return (in + 2L * padding - (long) dilation * (kernel - 1) - 1) / stride + 1;
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        Device device = x.getDevice();
        NDArray w = store.getValue(weight(), device, training);
        NDArray b = store.getValue(bias(), device, training);
        NDArray z = gateDeferred ? null : gates(store, device, training, x.getManager(), x.getShape().get(0));
        if (z == null) {
            return convolve(x, w, b);
        }
        if (z.getShape().dimension() == 2) {
            NDArray y = convolve(x, w, b).singletonOrThrow();
            return new NDList(y.mul(z.reshape(z.getShape().get(0), filters, 1, 1)));
        }
        // Scaling the filters is cheaper than scaling the (larger) output maps.
        return convolve(x, w.mul(z.reshape(filters, 1, 1, 1)), b.mul(z));
    }

    private NDList convolve(NDArray x, NDArray w, NDArray b) {
        return Conv2d.conv2d(x, w, b, new Shape(stride, stride), new Shape(padding, padding),
                new Shape(dilation, dilation), 1);
    }

    @Override
    NDArray groupSquares(NDArray w, NDArray b) {
        return w.square().sum(new int[] {1, 2, 3}).add(b.square());
    }

    @Override
    NDArray ungroupedSquares(NDArray w, NDArray b) {
        return null;
    }

    @Override
    public double[] expectedFlopsAndL0(double[] probabilityNonZero) {
        // Every expected filter costs (2n − 1) per output position plus its bias, with n = k·k·inChannels
        // (the input channels are counted in full, as the reference does). The reference's own conv count
        // multiplies by channels × output height instead of output height × output width, which its
        // authors acknowledged as a mistake; we count every output position.
        double expectedFilters = 0;
        for (double p : probabilityNonZero) {
            expectedFilters += p;
        }
        long n = (long) kernel * kernel * inChannels;
        double positions = (double) outHeight * outWidth;
        double flops = positions * (2 * n - 1) * expectedFilters + positions * expectedFilters;
        return new double[] {flops, n * expectedFilters + expectedFilters};
    }
}
