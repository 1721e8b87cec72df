package io.l0sparsify.testing;

import io.l0sparsify.dataset.InputShape;
import io.l0sparsify.dataset.TrainingData;
import io.l0sparsify.l0.L0Trainer;
import io.l0sparsify.l0.RunListener;
import io.l0sparsify.l0.TrainingOptions;
import io.l0sparsify.l0.TrainingResult;
import io.l0sparsify.spec.ModelSpec;
import io.l0sparsify.spec.Presets;
import java.util.List;

/**
 * The two paper presets after a short real training on 2 000 MNIST images, trained once per test JVM and
 * shared by the pruning and export parity tests. Strong λ, a higher learning rate and gates that start
 * nearly closed make a few hundred steps remove real units, so parity is checked on networks that lost
 * some; the test set is the whole MNIST test set.
 */
public final class TrainedPresets {

    /** A preset, the config it was trained with, the data and the result. */
    public record Trained(ModelSpec spec, TrainingOptions config, TrainingData data, TrainingResult result) {}

    private static Trained mlp;
    private static Trained lenet;

    private TrainedPresets() {}

    public static synchronized Trained mlp() {
        if (mlp == null) {
            mlp = train(Presets.MLP, config(10, List.of(0.005), 0.7));
        }
        return mlp;
    }

    /** LeNet-5-Caffe, trained with one gate sample per example so that path is covered too. */
    public static synchronized Trained lenet() {
        if (lenet == null) {
            lenet = train(Presets.LENET5_CAFFE, config(8, List.of(0.5, 0.05, 0.01, 0.5), 0.8).toBuilder().optPerExampleGates(true).build());
        }
        return lenet;
    }

    private static TrainingOptions config(int epochs, List<Double> lambdas, double initialDropRate) {
        return TrainingOptions.builder().optEpochs(epochs).optLearningRate(1e-2).optLambdas(lambdas)
                .optInitialDropRates(List.of(initialDropRate)).optEmaDecay(0.9).optSeed(3).optDevice("cpu").build();
    }

    private static Trained train(ModelSpec spec, TrainingOptions config) {
        TrainingData all = Mnist.full().shapedFor(new InputShape(spec.inputShape()));
        TrainingData data = all.head(2000, all.test().size());
        TrainingResult result = new L0Trainer().train(spec, config, data, RunListener.NONE, null);
        return new Trained(spec, config, data, result);
    }
}
