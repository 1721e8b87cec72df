package io.l0sparsify.l0;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.training.loss.Loss;
import java.util.List;

/**
 * The expected L0 (and optional L2) cost of the paper's eq. (13)/(14), per training example:
 *
 * <pre>
 *   R = Σ_layers Σ_groups P(z_g ≠ 0) · Σ_{w ∈ g} (½·wd·w² + λ_layer / N)  +  Σ_BN ½·wd·(Σ γ² + Σ β²)
 * </pre>
 *
 * A group is a dense layer's input column or a conv layer's filter with its bias; a convolution gated after its
 * batch normalization keeps this group (its filter and bias), the batch normalization's γ and β getting the plain
 * L2 term as every batch normalization does (the reference WRN code decays them with the same coefficient).
 *
 * Like DJL's {@code L1WeightDecay} it reads the parameters it was built with and ignores labels and
 * predictions; the trainer adds it to the mean cross-entropy. Evaluate inside an NDScope: the result
 * is computed from parameters and would otherwise live on the model's manager for good.
 */
public final class L0Penalty extends Loss {

    private final List<GatedLayer> layers;
    private final double[] lambdaOverN;
    private final double weightDecay;
    /** The size budget's Lagrangian term, or null without a budget. */
    private final BudgetController budget;
    /** Batch normalization layers, whose γ and β carry the L2 term only. */
    private final List<BatchNormLayer> norms;

    /**
     * @param layers the weighted layers, gated or not
     * @param lambdas λ for each of {@code layers} ("per 1/N"; ignored for an ungated layer)
     * @param weightDecay the L2 coefficient wd
     * @param trainingExamples N
     */
    public L0Penalty(List<GatedLayer> layers, double[] lambdas, double weightDecay, int trainingExamples) {
        this(layers, lambdas, weightDecay, trainingExamples, null, List.of());
    }

    /**
     * The penalty plus the budget's Lagrangian term {@link BudgetController#term()} when {@code budget} is set, and
     * the L2 term of the batch normalizations {@code norms}.
     */
    L0Penalty(List<GatedLayer> layers, double[] lambdas, double weightDecay, int trainingExamples,
            BudgetController budget, List<BatchNormLayer> norms) {
        super("L0Penalty");
        this.budget = budget;
        this.norms = List.copyOf(norms);
        if (lambdas.length != layers.size()) {
            throw new IllegalArgumentException(layers.size() + " layers but " + lambdas.length + " λ values");
        }
        this.layers = List.copyOf(layers);
        this.lambdaOverN = new double[lambdas.length];
        for (int i = 0; i < lambdas.length; i++) {
            lambdaOverN[i] = lambdas[i] / trainingExamples;
        }
        this.weightDecay = weightDecay;
    }

    /** The penalty as a scalar; the arguments are ignored and may be null. */
    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        NDArray total = null;
        for (int i = 0; i < layers.size(); i++) {
            NDArray term = layers.get(i).penalty(lambdaOverN[i], weightDecay);
            total = total == null ? term : total.add(term);
        }
        if (weightDecay != 0) {
            for (BatchNormLayer norm : norms) {
                NDArray gamma = norm.gamma().getArray();
                NDArray squares = gamma.square().sum().add(norm.beta().getArray().square().sum());
                total = total.add(squares.mul(HardConcreteGate.scalar(squares, 0.5 * weightDecay)));
            }
        }
        return budget == null ? total : total.add(budget.term());
    }
}
