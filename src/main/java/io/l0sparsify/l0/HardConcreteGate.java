package io.l0sparsify.l0;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;

/**
 * The hard concrete distribution of Louizos, Welling &amp; Kingma (2018), eq. (10)–(12): a binary concrete
 * variable s with location α and temperature β, stretched to (γ, ζ) and clipped to [0, 1].
 *
 * <pre>
 *   u ~ U(ε, 1−ε)
 *   s = sigmoid((log u − log(1−u) + log α) / β)
 *   z = min(1, max(0, s·(ζ−γ) + γ))                         (a training sample)
 *   P(z ≠ 0) = sigmoid(log α − β·log(−γ/ζ))                 (enters the L0 penalty)
 *   ẑ = min(1, max(0, sigmoid(log α)·(ζ−γ) + γ))            (deterministic test-time gate)
 * </pre>
 *
 * <p>The tensor methods take and return arrays of any shape, element-wise; results belong to the manager
 * of {@code logAlpha}'s first operation, so call them inside an {@link ai.djl.ndarray.NDScope} when
 * {@code logAlpha} is a parameter. The scalar methods serve metrics, pruning and tests.
 *
 * @param beta temperature β (paper: 2/3)
 * @param gamma lower stretch limit γ &lt; 0 (paper: −0.1)
 * @param zeta upper stretch limit ζ &gt; 1 (paper: 1.1)
 */
public record HardConcreteGate(double beta, double gamma, double zeta) {

    public static final double DEFAULT_BETA = 2.0 / 3.0;
    public static final double GAMMA = -0.1;
    public static final double ZETA = 1.1;
    /** Keeps log u and log(1−u) finite. */
    public static final double EPSILON = 1e-6;
    /** log α is clamped to [ln 0.01, ln 100] after every optimizer step, as in the reference code. */
    public static final double MIN_LOG_ALPHA = Math.log(1e-2);
    public static final double MAX_LOG_ALPHA = Math.log(1e2);

    public HardConcreteGate {
        if (!(beta > 0) || !(gamma < 0) || !(zeta > 1)) {
            throw new IllegalArgumentException("need β > 0, γ < 0, ζ > 1 but got β=" + beta + ", γ=" + gamma
                    + ", ζ=" + zeta);
        }
    }

    public static HardConcreteGate withTemperature(double beta) {
        return new HardConcreteGate(beta, GAMMA, ZETA);
    }

    // ---- tensors ------------------------------------------------------------------------------------

    /** A training sample z given uniform noise u of the same (or a broadcastable) shape, u ∈ (0, 1). */
    public NDArray sample(NDArray logAlpha, NDArray uniform) {
        return sampleFromLogistic(logAlpha, uniform.log().sub(uniform.neg().add(1f).log()));
    }

    /** A training sample z given logistic noise {@code log u − log(1−u)} (see {@link #sample}). */
    public NDArray sampleFromLogistic(NDArray logAlpha, NDArray logistic) {
        return stretchAndClip(Activation.sigmoid(logistic.add(logAlpha).div(scalar(logAlpha, beta))));
    }

    /** The deterministic test-time gate ẑ. */
    public NDArray testTime(NDArray logAlpha) {
        return stretchAndClip(Activation.sigmoid(logAlpha));
    }

    /** P(z ≠ 0) = 1 − Q(s̄ ≤ 0), differentiable in log α. */
    public NDArray probabilityNonZero(NDArray logAlpha) {
        return Activation.sigmoid(logAlpha.sub(scalar(logAlpha, beta * Math.log(-gamma / zeta))));
    }

    private NDArray stretchAndClip(NDArray s) {
        return clamp(s.mul(scalar(s, zeta - gamma)).add(scalar(s, gamma)), 0, 1);
    }

    /**
     * {@code x} clamped into [low, high], the bounds made on its device. DJL's {@code clip(Number, Number)} makes
     * its two bound tensors from host memory: on a GPU each is a copy from pageable memory, which libtorch follows
     * by waiting for the stream, i.e. for everything queued before it (four waits per gated layer and step, from
     * the gates and the log α clamp). Two selections compute what clamp computes, values and gradient alike: x
     * inside the closed interval with gradient 1, the bound outside with gradient 0 (a NaN stays NaN and, unlike
     * clamp's, passes its gradient on; the run has diverged by then).
     */
    static NDArray clamp(NDArray x, double low, double high) {
        // DJL's where does not broadcast; expand makes views, no copies
        NDArray lowBound = scalar(x, low).broadcast(x.getShape());
        NDArray highBound = scalar(x, high).broadcast(x.getShape());
        return NDArrays.where(x.lt(lowBound), lowBound, NDArrays.where(x.gt(highBound), highBound, x));
    }

    /**
     * A scalar tensor in PyTorch-owned memory beside {@code like}. Autograd keeps the operands of a
     * product or quotient for the backward pass; DJL turns a plain Java number into a tensor over a Java
     * buffer that is freed once its wrapper is closed and collected, which can happen before backward
     * runs (seen as sporadic NaN gradients). A natively allocated scalar lives as long as autograd holds it.
     *
     * <p>Beside a double-precision array (only the budget controller computes in double, {@link
     * BudgetController}) the value is kept to 48 bits as the sum of two floats: DJL's {@code full} takes a float,
     * and {@code create(double)} would copy from the host, which on a GPU waits for everything queued before it.
     */
    static NDArray scalar(NDArray like, double value) {
        NDManager manager = like.getManager();
        if (like.getDataType() != DataType.FLOAT64) {
            return manager.full(new Shape(), (float) value, like.getDataType(), like.getDevice());
        }
        float high = (float) value;
        float low = (float) (value - high);
        NDArray result = manager.full(new Shape(), high, DataType.FLOAT64, like.getDevice());
        if (low == 0) {
            return result;
        }
        try (NDArray high64 = result; NDArray low64 = manager.full(new Shape(), low, DataType.FLOAT64,
                like.getDevice())) {
            return high64.add(low64);
        }
    }

    // ---- scalars ------------------------------------------------------------------------------------

    public double sample(double logAlpha, double u) {
        double s = sigmoid((Math.log(u) - Math.log1p(-u) + logAlpha) / beta);
        return clip(s * (zeta - gamma) + gamma);
    }

    public double testTime(double logAlpha) {
        return clip(sigmoid(logAlpha) * (zeta - gamma) + gamma);
    }

    public double probabilityNonZero(double logAlpha) {
        return sigmoid(logAlpha - beta * Math.log(-gamma / zeta));
    }

    /** P(z = 0) = Q(s̄ ≤ 0) = sigmoid(β·log(−γ/ζ) − log α). */
    public double probabilityZero(double logAlpha) {
        return sigmoid(beta * Math.log(-gamma / zeta) - logAlpha);
    }

    /** P(z = 1) = 1 − Q(s̄ ≤ 1) = sigmoid(log α − β·log((1−γ)/(ζ−1))). */
    public double probabilityOne(double logAlpha) {
        return sigmoid(logAlpha - beta * Math.log((1 - gamma) / (zeta - 1)));
    }

    /**
     * CDF of the stretched (unclipped) variable s̄ at x ∈ (γ, ζ), eq. (11) of the paper:
     * Q(s̄ ≤ x) = sigmoid(β·(log(x−γ) − log(ζ−x)) − log α).
     */
    public double stretchedCdf(double x, double logAlpha) {
        return sigmoid(beta * (Math.log(x - gamma) - Math.log(zeta - x)) - logAlpha);
    }

    /** Density of s̄ at x ∈ (γ, ζ): the derivative of {@link #stretchedCdf}. */
    public double stretchedDensity(double x, double logAlpha) {
        double q = stretchedCdf(x, logAlpha);
        return q * (1 - q) * beta * (1 / (x - gamma) + 1 / (zeta - x));
    }

    /** A gate is removed by pruning exactly when its test-time value is zero. */
    public boolean isClosed(double logAlpha) {
        return testTime(logAlpha) <= 0;
    }

    static double sigmoid(double x) {
        return x >= 0 ? 1 / (1 + Math.exp(-x)) : Math.exp(x) / (1 + Math.exp(x));
    }

    private static double clip(double x) {
        return Math.min(1, Math.max(0, x));
    }
}
