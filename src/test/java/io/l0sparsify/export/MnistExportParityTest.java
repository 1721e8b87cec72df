package io.l0sparsify.export;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.l0sparsify.dataset.Examples;
import io.l0sparsify.dataset.TrainingData;
import io.l0sparsify.prune.PrunedLayer;
import io.l0sparsify.prune.PrunedNetwork;
import io.l0sparsify.prune.PrunedNetworkRunner;
import io.l0sparsify.testing.Inputs;
import io.l0sparsify.testing.ReferenceForward;
import io.l0sparsify.testing.TrainedPresets;
import java.nio.FloatBuffer;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The artifacts of really trained networks, checked on the whole MNIST test set: ONNX Runtime's logits
 * equal the pruned network run in DJL (which the trainer tests tie to the gated model), the classes agree
 * on every image, weights.json read back gives the same logits (first 1 000 images, by a plain-loop
 * reader), and the ONNX graph has the pruned shapes.
 */
class MnistExportParityTest {

    @Test
    void mlpArtifactsReproduceThePrunedNetwork() {
        check(TrainedPresets.mlp());
    }

    @Test
    void keptInputsModelGivesTheFullModelsLogitsFromOnlyTheKeptInputs() {
        PrunedNetwork pruned = TrainedPresets.mlp().result().pruned();
        TrainingData data = TrainedPresets.mlp().data();
        Examples test = data.test();
        float[] inputs = Inputs.of(test, data.preprocessing());
        int inputSize = test.shape().size();
        PrunedNetwork compact = pruned.keptInputsOnly().orElseThrow();
        int[] kept = ((PrunedLayer.Dense) pruned.layers().get(0)).keptInputs();
        assertThat(compact.inputShape()).containsExactly(kept.length);
        float[] selected = new float[test.size() * kept.length];
        for (int i = 0; i < test.size(); i++) {
            for (int j = 0; j < kept.length; j++) {
                selected[i * kept.length + j] = inputs[i * inputSize + kept[j]];
            }
        }
        DataConventions conventions = new DataConventions(data.preprocessing(), data.classNames());
        float[][] full = OnnxRuntimeRunner.run(OnnxExporter.export(pruned, "full", conventions), inputs,
                test.size());
        float[][] fromKept = OnnxRuntimeRunner.run(OnnxExporter.export(compact, "kept",
                conventions.forKeptInputs(kept)), selected, test.size());
        for (int i = 0; i < test.size(); i++) {
            assertThat(fromKept[i]).containsExactly(full[i], org.assertj.core.data.Offset.offset(1e-5f));
        }
    }

    @Test
    void lenetArtifactsReproduceThePrunedNetwork() {
        check(TrainedPresets.lenet());
        // a convolutional network reads its whole image: there is no kept-inputs variant
        assertThat(TrainedPresets.lenet().result().pruned().keptInputsOnly()).isEmpty();
    }

    private static void check(TrainedPresets.Trained trained) {
        PrunedNetwork pruned = trained.result().pruned();
        TrainingData data = trained.data();
        Examples test = data.test();
        float[] inputs = Inputs.of(test, data.preprocessing());
        int inputSize = test.shape().size();
        DataConventions conventions = new DataConventions(data.preprocessing(), data.classNames());
        byte[] onnx = OnnxExporter.export(pruned, "parity", conventions);
        float[][] onnxLogits = OnnxRuntimeRunner.run(onnx, inputs, test.size());
        float[][] djlLogits = runInDjl(pruned, inputs, test.size());
        PrunedNetwork readBack = WeightsJson.read(WeightsJson.write(pruned, conventions));
        // the plain-loop reader is slow: the first 1 000 images show that the file holds the network
        int jsonImages = Math.min(1000, test.size());
        float[][] jsonLogits = ReferenceForward.logits(readBack,
                java.util.Arrays.copyOf(inputs, jsonImages * inputSize), jsonImages);

        double maxOnnx = 0;
        double maxJson = 0;
        int disagreements = 0;
        for (int i = 0; i < test.size(); i++) {
            for (int c = 0; c < pruned.numClasses(); c++) {
                maxOnnx = Math.max(maxOnnx, Math.abs(onnxLogits[i][c] - djlLogits[i][c]));
                if (i < jsonImages) {
                    maxJson = Math.max(maxJson, Math.abs(jsonLogits[i][c] - djlLogits[i][c]));
                }
            }
            disagreements += argMax(onnxLogits[i]) == argMax(djlLogits[i]) ? 0 : 1;
        }
        assertThat(maxOnnx).isLessThanOrEqualTo(1e-4);
        assertThat(maxJson).isLessThanOrEqualTo(1e-4);
        assertThat(disagreements).isZero();

        // the graph's weights have exactly the pruned shapes
        Map<String, Map<String, List<Long>>> shapes = OnnxExporter.initializerShapes(onnx);
        for (PrunedLayer layer : pruned.layers()) {
            switch (layer) {
                case PrunedLayer.Dense d ->
                    assertThat(shapes.get(d.name()).get("weight")).containsExactly((long) d.units(), (long) d.inputs());
                case PrunedLayer.Conv2d c -> assertThat(shapes.get(c.name()).get("weight")).containsExactly(
                        (long) c.filters(), (long) c.inChannels(), (long) c.kernel(), (long) c.kernel());
                case PrunedLayer.MaxPool _, PrunedLayer.AvgPool _, PrunedLayer.Relu _, PrunedLayer.Flatten _, PrunedLayer.BatchNorm _, PrunedLayer.GlobalAvgPool _, PrunedLayer.Residual _ ->
                    assertThat(shapes).doesNotContainKey(layer.name());
            }
        }
    }

    private static float[][] runInDjl(PrunedNetwork network, float[] inputs, int count) {
        float[][] logits = new float[count][];
        int inputSize = network.inputSize();
        long[] dims = new long[network.inputShape().size() + 1];
        for (int i = 0; i < network.inputShape().size(); i++) {
            dims[i + 1] = network.inputShape().get(i);
        }
        try (NDManager manager = NDManager.newBaseManager("PyTorch");
                PrunedNetworkRunner runner = new PrunedNetworkRunner(network, manager)) {
            for (int start = 0; start < count; start += 1000) {
                int size = Math.min(1000, count - start);
                dims[0] = size;
                try (NDManager batch = manager.newSubManager()) {
                    NDArray x = batch.create(FloatBuffer.wrap(inputs, start * inputSize, size * inputSize).slice(),
                            new Shape(dims));
                    float[] flat = runner.forward(x).toFloatArray();
                    for (int i = 0; i < size; i++) {
                        logits[start + i] = java.util.Arrays.copyOfRange(flat, i * network.numClasses(),
                                (i + 1) * network.numClasses());
                    }
                }
            }
        }
        return logits;
    }

    private static int argMax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }
}
