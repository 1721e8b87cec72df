package io.l0sparsify.l0;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import ai.djl.util.PairList;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * Batch normalization over axis 1 (the channels of {@code [batch, C, H, W]} or the features of
 * {@code [batch, C]}), optionally followed by the gates of the convolution before it:
 *
 * <pre>
 *   y = (γ·(x − μ)/√(σ² + eps) + β) ⊙ z        γ, β, running μ, running σ², log α of the conv: [C]
 *   training: μ, σ² of the minibatch (biased σ²); running ← (1 − momentum)·running + momentum·batch (unbiased σ²)
 *   evaluation: μ, σ² = the running statistics
 * </pre>
 *
 * z is the gate sample (or ẑ) of {@code gateSource}, a gated convolution whose own output is left ungated
 * ({@link GatedConv2d#deferGate()}): applied here, a closed gate makes the whole map zero, which is what lets the
 * pruner remove the filter, this channel and the next layer's input channel exactly. Applying z after BN rather
 * than after the ReLU that usually follows is the same function, since ReLU(z·a) = z·ReLU(a) for z ≥ 0.
 *
 * <p>γ and β are trained parameters with the plain L2 term ½·wd·(γ² + β²) in {@link L0Penalty} (the reference WRN
 * code decays them too) and no gate; the running statistics are parameters without gradient, saved with the others.
 */
public final class BatchNormLayer extends AbstractBlock {

    private static final byte VERSION = 1;

    private final float eps;
    /** PyTorch's convention: the weight of the new minibatch statistic. */
    private final float momentum;
    private final AbstractGatedLayer gateSource;
    private final Parameter gamma;
    private final Parameter beta;
    private final Parameter runningMean;
    private final Parameter runningVar;
    private int channels = -1;

    BatchNormLayer(double eps, double momentum, AbstractGatedLayer gateSource) {
        super(VERSION);
        this.eps = (float) eps;
        this.momentum = (float) momentum;
        this.gateSource = gateSource;
        gamma = addParameter(Parameter.builder().setName("gamma").setType(Parameter.Type.GAMMA)
                .optInitializer(Initializer.ONES).build());
        beta = addParameter(Parameter.builder().setName("beta").setType(Parameter.Type.BETA)
                .optInitializer(Initializer.ZEROS).build());
        runningMean = addParameter(Parameter.builder().setName("running_mean")
                .setType(Parameter.Type.RUNNING_MEAN).optRequiresGrad(false).optInitializer(Initializer.ZEROS)
                .build());
        runningVar = addParameter(Parameter.builder().setName("running_var")
                .setType(Parameter.Type.RUNNING_VAR).optRequiresGrad(false).optInitializer(Initializer.ONES)
                .build());
    }

    public Parameter gamma() {
        return gamma;
    }

    public Parameter beta() {
        return beta;
    }

    public Parameter runningMean() {
        return runningMean;
    }

    public Parameter runningVar() {
        return runningVar;
    }

    public double eps() {
        return eps;
    }

    /** The gated convolution whose gates act on this layer's output, or null. */
    GatedLayer gateSource() {
        return gateSource;
    }

    @Override
    protected void prepare(Shape[] inputShapes) {
        channels = Math.toIntExact(inputShapes[0].get(1));
        for (Parameter p : new Parameter[] {gamma, beta, runningMean, runningVar}) {
            p.setShape(new Shape(channels));
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {inputShapes[0]};
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        Device device = x.getDevice();
        // One value per channel (a last minibatch of one example before a dense layer's normalization, or such a
        // slice on one device) has no variance: the kernel's unbiased estimate divides 0 by 0 and would turn the
        // running variance into NaN for good. PyTorch's module refuses such a batch; a job's last batch cannot be
        // refused, so it is normalized with the running statistics and leaves them as they are.
        boolean batchStatistics = training && x.size() / channels >= 2;
        // DJL passes 1 − momentum on to PyTorch, so its momentum is the weight of the running value
        NDArray y = BatchNorm.batchNorm(x, store.getValue(runningMean, device, training),
                store.getValue(runningVar, device, training), store.getValue(gamma, device, training),
                store.getValue(beta, device, training), 1, 1 - momentum, eps, batchStatistics).singletonOrThrow();
        if (gateSource == null) {
            return new NDList(y);
        }
        NDArray z = gateSource.gates(store, device, training, x.getManager(), x.getShape().get(0));
        long[] dims = new long[x.getShape().dimension()];
        java.util.Arrays.fill(dims, 1);
        dims[1] = channels;
        if (z.getShape().dimension() == 2) {
            dims[0] = z.getShape().get(0);
        }
        return new NDList(y.mul(z.reshape(new Shape(dims))));
    }

    @Override
    protected void saveMetadata(DataOutputStream os) throws IOException {
        super.saveMetadata(os);
        os.writeInt(channels);
    }

    @Override
    public void loadMetadata(byte loadVersion, DataInputStream is) throws IOException, MalformedModelException {
        if (loadVersion != VERSION) {
            throw new MalformedModelException("unsupported BatchNormLayer version " + loadVersion
                    + " (this build reads version " + VERSION + ")");
        }
        super.loadMetadata(loadVersion, is);
        int saved = is.readInt();
        if (saved != channels) {
            throw new MalformedModelException("parameters are for a batch normalization over " + saved
                    + " channels, not " + channels);
        }
    }
}
