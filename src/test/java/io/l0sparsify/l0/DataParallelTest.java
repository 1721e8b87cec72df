package io.l0sparsify.l0;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.nn.Parameter;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.l0sparsify.dataset.Examples;
import io.l0sparsify.dataset.TrainingData;
import io.l0sparsify.spec.ModelSpec;
import io.l0sparsify.spec.Presets;
import io.l0sparsify.testing.Mnist;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * A minibatch split across replicas must give the gradient of the whole minibatch on one device. The
 * replicas here are copies on the one CPU, which takes the multi-device path (broadcast, per-slice
 * weighting, gradient reduction) everywhere except the copy between devices.
 */
class DataParallelTest {

    /** Float32 sums in a different order: relative to the largest gradient entry of the parameter. */
    private static final double TOLERANCE = 1e-5;

    @ParameterizedTest
    @ValueSource(strings = {"mlp", "lenet5-caffe"})
    void threeReplicasGiveTheGradientOfOne(String preset) {
        ModelSpec spec = Presets.byName(preset).orElseThrow();
        TrainingData data = Mnist.full().head(203, 10);
        // 1 example first (replicas without a slice have no gradient yet), two full minibatches
        // (100 = 34 + 33 + 33) after Adam steps and log α clamps, so the replicas must have been refreshed,
        // then 2 examples, fewer than replicas
        int[] sizes = {1, 100, 100, 2};
        Steps one = run(spec, data, 1, sizes);
        Steps three = run(spec, data, 3, sizes);
        for (int step = 0; step < sizes.length; step++) {
            assertThat(three.losses.get(step).crossEntropy())
                    .isCloseTo(one.losses.get(step).crossEntropy(), org.assertj.core.data.Offset.offset(1e-5f));
            assertThat(three.losses.get(step).penalty()).isEqualTo(one.losses.get(step).penalty());
            for (int p = 0; p < one.gradients.get(step).size(); p++) {
                float[] expected = one.gradients.get(step).get(p);
                float[] actual = three.gradients.get(step).get(p);
                double scale = 0;
                double difference = 0;
                for (int i = 0; i < expected.length; i++) {
                    scale = Math.max(scale, Math.abs(expected[i]));
                    difference = Math.max(difference, Math.abs(expected[i] - actual[i]));
                }
                assertThat(scale).as("step %d parameter %d has a gradient", step, p).isGreaterThan(0);
                assertThat(difference / scale).as("step %d parameter %d", step, p).isLessThanOrEqualTo(TOLERANCE);
            }
        }
    }

    private record Steps(List<DataParallel.Losses> losses, List<List<float[]>> gradients) {}

    private static Steps run(ModelSpec spec, TrainingData data, int replicas, int[] sizes) {
        Examples train = data.train();
        TrainingOptions config = TrainingOptions.builder().optSeed(5).build();
        Autograd.disableOnThisThread();
        List<DataParallel.Losses> losses = new ArrayList<>();
        List<List<float[]>> gradients = new ArrayList<>();
        try (Model model = Model.newInstance("data-parallel", Device.cpu(), "PyTorch")) {
            L0Network network = L0Network.build(spec, config);
            model.setBlock(network.block());
            network.initialize(model.getNDManager(), config);
            DefaultTrainingConfig trainingConfig = new DefaultTrainingConfig(Loss.softmaxCrossEntropyLoss())
                    .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-3f)).build())
                    .optDevices(new Device[] {Device.cpu()});
            List<Parameter> parameters = network.trainableParameters();
            double[] lambdas = new double[network.weightedLayers().size()];
            java.util.Arrays.fill(lambdas, 0.1);
            L0Penalty penalty = new L0Penalty(network.weightedLayers(), lambdas, 5e-4, train.size());
            try (Trainer trainer = model.newTrainer(trainingConfig);
                    DataParallel parallel = new DataParallel(trainer, network, parameters, penalty,
                            Collections.nCopies(replicas, Device.cpu()))) {
                int offset = 0;
                for (int size : sizes) {
                    float[] pixels = new float[size * train.shape().size()];
                    long[] labels = new long[size];
                    train.copyRangeInto(offset, size, data.preprocessing(), pixels);
                    for (int i = 0; i < size; i++) {
                        labels[i] = train.labels()[offset + i];
                    }
                    offset += size;
                    network.noise().startStep();
                    losses.add(parallel.backward(pixels, labels, size, trainer.getManager()).read());
                    List<float[]> step = new ArrayList<>();
                    for (Parameter p : parameters) {
                        step.add(p.getArray().getGradient().toFloatArray());
                    }
                    gradients.add(step);
                    trainer.step();
                    network.clampLogAlphas();
                }
            }
        }
        return new Steps(losses, gradients);
    }
}
