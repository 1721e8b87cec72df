package io.l0sparsify.l0;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.Initializer;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/**
 * What dense and convolutional gated layers share: the three parameters, the gate draw and the penalty.
 * Parameters are created with zero initialisers; {@link L0Network#initialize} overwrites them from the
 * run's own seeded generator so that a seed alone fixes the starting point.
 */
abstract sealed class AbstractGatedLayer extends AbstractBlock implements GatedLayer
        permits GatedDense, GatedConv2d {

    private static final byte VERSION = 1;
    private static final NDIndex ALL = new NDIndex("...");

    private final boolean gated;
    private final HardConcreteGate gate;
    private final GateNoise noise;
    private final boolean perExampleGates;
    private final Parameter weight;
    private final Parameter bias;
    private final Parameter logAlpha;
    /** While set, training uses the deterministic gates too (fine-tuning weights under fixed gates). */
    private boolean gatesFrozen;

    AbstractGatedLayer(boolean gated, HardConcreteGate gate, GateNoise noise, boolean perExampleGates) {
        super(VERSION);
        this.gated = gated;
        this.gate = gate;
        this.noise = noise;
        this.perExampleGates = perExampleGates;
        weight = addParameter(Parameter.builder().setName("weight").setType(Parameter.Type.WEIGHT)
                .optInitializer(Initializer.ZEROS).build());
        bias = addParameter(Parameter.builder().setName("bias").setType(Parameter.Type.BIAS)
                .optInitializer(Initializer.ZEROS).build());
        logAlpha = gated
                ? addParameter(Parameter.builder().setName("log_alpha").setType(Parameter.Type.OTHER)
                        .optInitializer(Initializer.ZEROS).build())
                : null;
    }

    @Override
    public boolean gated() {
        return gated;
    }

    @Override
    public Parameter weight() {
        return weight;
    }

    @Override
    public Parameter bias() {
        return bias;
    }

    @Override
    public Parameter logAlpha() {
        return logAlpha;
    }

    @Override
    public HardConcreteGate gate() {
        return gate;
    }

    /** Makes training use the deterministic gates ẑ instead of samples; for fine-tuning the weights alone. */
    void freezeGates(boolean frozen) {
        this.gatesFrozen = frozen;
    }

    boolean perExampleGates() {
        return perExampleGates;
    }

    /**
     * The gate values to apply: a fresh sample per minibatch of shape {@code [groups]} (or per example,
     * {@code [batch, groups]}) in training, the deterministic ẑ of shape {@code [groups]} otherwise (and in
     * training while the gates are frozen).
     * Null for an ungated layer.
     */
    NDArray gates(ParameterStore store, Device device, boolean training, NDManager batchManager, long batch) {
        if (!gated) {
            return null;
        }
        NDArray la = store.getValue(logAlpha, device, training);
        if (!training || gatesFrozen) {
            return gate.testTime(la);
        }
        NDArray logistic = perExampleGates
                ? noise.logistic(batchManager, new Shape(batch, groups()))
                : noise.perStep(this, batchManager, new Shape(groups()));
        logistic = logistic.toDevice(device, false);
        return gate.sampleFromLogistic(la, logistic);
    }

    /**
     * Clamps log α into [ln 0.01, ln 100] in place, on its device: a clamped copy written back over the parameter,
     * so nothing is read to the host and a GPU does not wait (the bounds are made there too). The bounds become
     * float32 as they did when the clamp was done on the host, so the values are the same.
     */
    void clampLogAlpha() {
        if (!gated) {
            return;
        }
        NDArray la = logAlpha.getArray();
        // the indexed write makes arrays of its own on the parameter's manager
        try (NDScope ignored = new NDScope()) {
            la.set(ALL, HardConcreteGate.clamp(la, HardConcreteGate.MIN_LOG_ALPHA, HardConcreteGate.MAX_LOG_ALPHA));
        }
    }

    /** Σ w² for every group, shape {@code [groups]}; the bias too when it belongs to the group. */
    abstract NDArray groupSquares(NDArray w, NDArray b);

    /** Σ w² over the weights that belong to no group (a dense layer's bias). */
    abstract NDArray ungroupedSquares(NDArray w, NDArray b);

    @Override
    public NDArray penalty(double lambdaOverN, double weightDecay) {
        NDArray w = weight.getArray();
        NDArray b = bias.getArray();
        if (!gated) {
            return weightDecay == 0 ? w.getManager().create(0f).toDevice(w.getDevice(), false)
                    : w.square().sum().add(b.square().sum()).mul(HardConcreteGate.scalar(w, 0.5 * weightDecay));
        }
        NDArray p = gate.probabilityNonZero(logAlpha.getArray());
        NDArray perGroup;
        if (weightDecay == 0) {
            perGroup = p.mul(HardConcreteGate.scalar(p, lambdaOverN * groupSize()));
        } else {
            perGroup = groupSquares(w, b).mul(HardConcreteGate.scalar(w, 0.5 * weightDecay))
                    .add(HardConcreteGate.scalar(w, lambdaOverN * groupSize())).mul(p);
        }
        NDArray total = perGroup.sum();
        if (weightDecay != 0) {
            NDArray rest = ungroupedSquares(w, b);
            if (rest != null) {
                total = total.add(rest.mul(HardConcreteGate.scalar(rest, 0.5 * weightDecay)));
            }
        }
        return total;
    }

    @Override
    protected void saveMetadata(DataOutputStream os) throws IOException {
        super.saveMetadata(os);
        os.writeBoolean(gated);
        os.writeInt(groups());
    }

    @Override
    public void loadMetadata(byte loadVersion, DataInputStream is) throws IOException, MalformedModelException {
        if (loadVersion != VERSION) {
            throw new MalformedModelException("unsupported " + getClass().getSimpleName() + " version "
                    + loadVersion + " (this build reads version " + VERSION + ")");
        }
        super.loadMetadata(loadVersion, is);
        boolean savedGated = is.readBoolean();
        int savedGroups = is.readInt();
        if (savedGated != gated || savedGroups != groups()) {
            throw new MalformedModelException("parameters are for a layer with gated=" + savedGated + " and "
                    + savedGroups + " groups, not gated=" + gated + " and " + groups());
        }
    }
}
