package io.l0sparsify.l0;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * A fully connected layer with one hard-concrete gate per INPUT unit (a column of the weight matrix in
 * PyTorch layout, a row of the paper's), so a closed gate removes that input from the layer:
 *
 * <pre>
 *   y = (x ⊙ z) · Wᵀ + b      x: [batch, inputs]   z: [inputs] or [batch, inputs]
 *     = x · (W ⊙ z)ᵀ + b      with one z for the whole batch
 *                             W: [units, inputs]   b: [units]   log α: [inputs]   y: [batch, units]
 * </pre>
 *
 * Multiplying x or W by z is the same function and gradient (up to rounding); which is cheaper depends on what
 * the backward pass must compute ({@link #gatesTheWeights}).
 */
public final class GatedDense extends AbstractGatedLayer {

    private final int units;
    /** Whether this layer's input is the data: no layer with parameters runs before it. */
    private final boolean inputIsData;
    private int inputs = -1;

    GatedDense(int units, boolean gated, HardConcreteGate gate, GateNoise noise, boolean perExampleGates) {
        this(units, gated, gate, noise, perExampleGates, false);
    }

    /** @param inputIsData whether no layer with parameters runs before this one, so its input never has a gradient */
    GatedDense(int units, boolean gated, HardConcreteGate gate, GateNoise noise, boolean perExampleGates,
            boolean inputIsData) {
        super(gated, gate, noise, perExampleGates);
        this.units = units;
        this.inputIsData = inputIsData;
    }

    public int units() {
        return units;
    }

    public int inputs() {
        return inputs;
    }

    @Override
    public int groups() {
        return inputs;
    }

    @Override
    public int groupSize() {
        return units;
    }

    @Override
    protected void prepare(Shape[] inputShapes) {
        inputs = Math.toIntExact(inputShapes[0].get(inputShapes[0].dimension() - 1));
        weight().setShape(new Shape(units, inputs));
        bias().setShape(new Shape(units));
        if (gated()) {
            logAlpha().setShape(new Shape(inputs));
        }
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {new Shape(inputShapes[0].get(0), units)};
    }

    @Override
    protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
            PairList<String, Object> params) {
        NDArray x = inputs.singletonOrThrow();
        Device device = x.getDevice();
        NDArray z = gates(store, device, training, x.getManager(), x.getShape().get(0));
        NDArray w = store.getValue(weight(), device, training);
        if (z != null) {
            if (gatesTheWeights(inputIsData, z)) {
                w = w.mul(z);
            } else {
                x = x.mul(z);
            }
        }
        return Linear.linear(x, w, store.getValue(bias(), device, training));
    }

    /**
     * Whether z multiplies W's columns rather than x: where the input is the data (no layer with parameters runs
     * before this one, so x never has a gradient) and one gate serves the whole batch. Then the backward pass needs
     * the gradient of W ⊙ z alone, dL/dW' = dyᵀ·x, which it computes for W anyway, and gets dL/dz as the column
     * sums of dL/dW' ⊙ W; gating x instead, it needs dL/d(x ⊙ z) = dy·W, a second product as large as the forward
     * one, only to reach z. For the MNIST MLP that product is [100 × 300]·[300 × 784], 23.5 of the step's 80
     * million multiply-adds. A later layer needs dL/dx to reach the layers before it anyway, and per-example gates
     * differ along the batch, so those gate x, which touches batch × inputs values where W ⊙ z touches units ×
     * inputs. Decided from where the layer sits, not from x: DJL's {@code hasGradient()} answers false for an array
     * that autograd will differentiate through (an activation), so it cannot tell the data from one.
     */
    static boolean gatesTheWeights(boolean inputIsData, NDArray z) {
        return inputIsData && z.getShape().dimension() == 1;
    }

    @Override
    NDArray groupSquares(NDArray w, NDArray b) {
        return w.square().sum(new int[] {0});
    }

    @Override
    NDArray ungroupedSquares(NDArray w, NDArray b) {
        return b.square().sum();
    }

    @Override
    public double[] expectedFlopsAndL0(double[] probabilityNonZero) {
        // As the reference counts a dense layer: (2·E[inputs] − 1) multiply-adds per unit, plus the bias,
        // which is not gated.
        double expectedInputs = 0;
        for (double p : probabilityNonZero) {
            expectedInputs += p;
        }
        return new double[] {(2 * expectedInputs - 1) * units + units, expectedInputs * units + units};
    }
}
