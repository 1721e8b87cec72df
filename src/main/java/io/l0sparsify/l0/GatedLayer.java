package io.l0sparsify.l0;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;

/**
 * A layer whose weights fall into groups, each switched by one hard-concrete gate: the input units of a
 * dense layer, the filters (with their biases) of a convolution. The penalty, the expected L0 and FLOPs,
 * and pruning only need what this interface exposes, so dense and conv share all of that code. The kinds are
 * closed ({@link GatedDense}, {@link GatedConv2d}), so code that must tell them apart switches exhaustively.
 */
public sealed interface GatedLayer extends Block permits AbstractGatedLayer {

    /** Whether the layer carries gates at all; an ungated layer has no log α and only the L2 term. */
    boolean gated();

    Parameter weight();

    Parameter bias();

    /** log α, one per group; null when {@link #gated()} is false. */
    Parameter logAlpha();

    HardConcreteGate gate();

    /** Number of gate groups (inputs of a dense layer, filters of a conv layer). */
    int groups();

    /** Parameters in one group, its bias included when the bias belongs to it. */
    int groupSize();

    /**
     * Σ_g P(z_g ≠ 0)·(½·wd·Σ_{w∈g} w² + λ/N·|g|) plus ½·wd·Σ w² for weights outside any group. The
     * result is a scalar on the parameters' manager: call inside an NDScope.
     */
    NDArray penalty(double lambdaOverN, double weightDecay);

    /**
     * The expected FLOPs and L0 given P(z≠0) per group: {@code [flops, l0]}. Dense layers count as the
     * reference implementation does; conv layers count every output position, where the reference's
     * count is wrong (see {@link GatedConv2d}).
     */
    double[] expectedFlopsAndL0(double[] probabilityNonZero);
}
