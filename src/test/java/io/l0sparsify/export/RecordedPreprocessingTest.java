package io.l0sparsify.export;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.l0sparsify.dataset.ExampleValues;
import io.l0sparsify.dataset.Examples;
import io.l0sparsify.dataset.InputShape;
import io.l0sparsify.dataset.Preprocessing;
import io.l0sparsify.dataset.TrainingData;
import io.l0sparsify.l0.L0Trainer;
import io.l0sparsify.l0.RunListener;
import io.l0sparsify.l0.TrainingOptions;
import io.l0sparsify.l0.TrainingResult;
import io.l0sparsify.prune.PrunedNetworkRunner;
import io.l0sparsify.spec.LayerSpec;
import io.l0sparsify.spec.ModelSpec;
import io.l0sparsify.spec.SpecLimits;
import io.l0sparsify.testing.Inputs;
import io.l0sparsify.testing.TrainedPresets;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.json.JsonMapper;

/**
 * A user holding only the raw data (the unsigned bytes as the dataset stores them) and model.onnx preprocesses
 * with what model.onnx's metadata records, and gets the accuracy the trainer reported: on MNIST (scaling only)
 * and on a three-channel dataset standardised per channel. The preprocessing is read back through ONNX Runtime's
 * own metadata API and applied here, not by the service's code.
 */
class RecordedPreprocessingTest {

    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** Three classes told apart by which channel carries a bright patch. */
    private static final InputShape RGB = InputShape.image(3, 12, 12);

    /** conv 3×3 (6 filters) → relu → maxpool 2 → flatten → dense 3, on [3, 12, 12]. */
    private static final ModelSpec SMALL_CNN = ModelSpec.of(RGB.dims(), List.of(new LayerSpec.Conv2d(6, 3),
            new LayerSpec.Relu(), new LayerSpec.MaxPool(2, 2), new LayerSpec.Flatten(), new LayerSpec.Dense(3)),
            SpecLimits.DEFAULT);

    @Test
    void rawMnistThroughTheRecordedScalingGivesTheReportedAccuracy() throws Exception {
        for (TrainedPresets.Trained trained : List.of(TrainedPresets.mlp())) {
            TrainingData data = trained.data();
            byte[] onnx = OnnxExporter.export(trained.result().pruned(), "mnist",
                    new DataConventions(data.preprocessing(), data.classNames()));
            Map<String, String> metadata = metadata(onnx);
            assertThat(metadata.get(OnnxExporter.META_CLASS_NAMES)).isEqualTo("[\"0\",\"1\",\"2\",\"3\",\"4\",\"5\","
                    + "\"6\",\"7\",\"8\",\"9\"]");
            assertThat(metadata.get(OnnxExporter.META_MEAN)).isEqualTo("[0.0]");

            assertThat(correctFromRawData(onnx, data.test()))
                    .isEqualTo(correctAsReported(trained.result(), data.test().size()));
        }
    }

    @Test
    void rawThreeChannelImagesThroughTheRecordedStandardisationGiveTheReportedAccuracy() throws Exception {
        Examples train = rgbExamples("train", 600, 1);
        Examples test = rgbExamples("test", 300, 2);
        Preprocessing standardised = perChannelStandardisation(train);
        assertThat(standardised.standardises()).isTrue();
        TrainingData data = new TrainingData(train, test, standardised, List.of("red", "green", "blue"),
                new TrainingData.SplitOrigin.FromFormat());
        TrainingResult result = new L0Trainer().train(SMALL_CNN, TrainingOptions.builder().optEpochs(6)
                .optLearningRate(1e-2).optLambdas(List.of(0.05)).optSeed(4).optDevice("cpu").build(), data,
                RunListener.NONE, null);
        assertThat(result.prunedTestError()).isLessThan(0.2);

        byte[] onnx = OnnxExporter.export(result.pruned(), "rgb", new DataConventions(standardised,
                data.classNames()));
        Map<String, String> metadata = metadata(onnx);
        assertThat(metadata.get(OnnxExporter.META_INPUT_SHAPE)).isEqualTo("[3,12,12]");
        assertThat(metadata.get(OnnxExporter.META_CLASS_NAMES)).isEqualTo("[\"red\",\"green\",\"blue\"]");
        assertThat(metadata.get(OnnxExporter.META_LAYOUT)).isEqualTo("channel-first");

        assertThat(correctFromRawData(onnx, test)).isEqualTo(correctAsReported(result, test.size()));
        // what the metadata says is exactly what training fed the network, and scaling alone would not be
        float[] recorded = rawThroughMetadata(metadata, test);
        assertThat(recorded).containsExactly(Inputs.of(test, standardised));
        assertThat(recorded).isNotEqualTo(Inputs.of(test, Preprocessing.scaleOnly(standardised.scale(), 3)));
    }

    @Test
    void threeChannelConvNetExportsOnnxThatComputesThePrunedNetwork() {
        Examples train = rgbExamples("train", 600, 5);
        Examples test = rgbExamples("test", 200, 6);
        Preprocessing standardised = perChannelStandardisation(train);
        TrainingData data = new TrainingData(train, test, standardised, List.of("r", "g", "b"),
                new TrainingData.SplitOrigin.FromFormat());
        TrainingResult result = new L0Trainer().train(SMALL_CNN, TrainingOptions.builder().optEpochs(4)
                .optLearningRate(1e-2).optLambdas(List.of(0.5)).optSeed(8).optDevice("cpu").build(), data,
                RunListener.NONE, null);
        assertThat(result.pruned().inputShape()).containsExactly(3, 12, 12);

        float[] inputs = Inputs.of(test, standardised);
        float[][] onnx = OnnxRuntimeRunner.run(OnnxExporter.export(result.pruned(), "rgb",
                new DataConventions(standardised, data.classNames())), inputs, test.size());
        float[] djl;
        try (NDManager manager = NDManager.newBaseManager("PyTorch");
                PrunedNetworkRunner runner = new PrunedNetworkRunner(result.pruned(), manager)) {
            djl = runner.forward(manager.create(inputs, new Shape(test.size(), 3, 12, 12))).toFloatArray();
        }
        double maxDifference = 0;
        for (int i = 0; i < test.size(); i++) {
            for (int c = 0; c < 3; c++) {
                maxDifference = Math.max(maxDifference, Math.abs(onnx[i][c] - djl[i * 3 + c]));
            }
        }
        assertThat(maxDifference).isLessThanOrEqualTo(1e-4);
    }

    /** Correct answers of the ONNX model on the raw test data, preprocessed as its metadata says. */
    private static long correctFromRawData(byte[] onnx, Examples test) throws OrtException {
        float[][] logits = OnnxRuntimeRunner.run(onnx, rawThroughMetadata(metadata(onnx), test), test.size());
        long correct = 0;
        for (int i = 0; i < test.size(); i++) {
            correct += argMax(logits[i]) == test.labels()[i] ? 1 : 0;
        }
        return correct;
    }

    private static long correctAsReported(TrainingResult result, int testSize) {
        return Math.round((1 - result.prunedTestError()) * testSize);
    }

    /**
     * The raw unsigned bytes, each turned into {@code (x · scale − mean[c]) / std[c]} with the numbers read from
     * the metadata and c the value's channel in the recorded input shape (one mean for all when one is given).
     */
    private static float[] rawThroughMetadata(Map<String, String> metadata, Examples test) {
        double scale = Double.parseDouble(metadata.get(OnnxExporter.META_SCALE));
        double[] mean = JSON.readValue(metadata.get(OnnxExporter.META_MEAN), double[].class);
        double[] std = JSON.readValue(metadata.get(OnnxExporter.META_STD), double[].class);
        int[] shape = JSON.readValue(metadata.get(OnnxExporter.META_INPUT_SHAPE), int[].class);
        int exampleSize = 1;
        for (int d : shape) {
            exampleSize *= d;
        }
        int perChannel = shape.length == 3 ? shape[1] * shape[2] : 1;
        byte[] raw = ((ExampleValues.UnsignedBytes) test.values()).values();
        float[] inputs = new float[raw.length];
        for (int i = 0; i < raw.length; i++) {
            int channel = mean.length == 1 ? 0 : (i % exampleSize) / perChannel;
            inputs[i] = (float) (((raw[i] & 0xFF) * scale - mean[channel]) / std[channel]);
        }
        return inputs;
    }

    private static Map<String, String> metadata(byte[] onnx) throws OrtException {
        try (OrtSession session = OnnxRuntimeRunner.environment().createSession(onnx)) {
            return session.getMetadata().getCustomMetadata();
        }
    }

    /**
     * Unsigned-byte images [3, 12, 12] with a different brightness per channel (so per-channel statistics
     * differ); class k has a bright 4×4 patch somewhere in channel k.
     */
    static Examples rgbExamples(String name, int count, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int[] base = {30, 110, 70};
        byte[] values = new byte[count * RGB.size()];
        int[] labels = new int[count];
        for (int n = 0; n < count; n++) {
            int label = random.nextInt(3);
            labels[n] = label;
            int top = random.nextInt(9);
            int left = random.nextInt(9);
            for (int c = 0; c < 3; c++) {
                for (int y = 0; y < 12; y++) {
                    for (int x = 0; x < 12; x++) {
                        int value = base[c] + random.nextInt(-25, 26);
                        if (c == label && y >= top && y < top + 4 && x >= left && x < left + 4) {
                            value += 110;
                        }
                        values[n * RGB.size() + (c * 12 + y) * 12 + x] = (byte) Math.min(255, value);
                    }
                }
            }
        }
        return new Examples(name, RGB, new ExampleValues.UnsignedBytes(values), labels);
    }

    /** Mean and standard deviation per channel of the scaled training values, as a standardising dataset has. */
    static Preprocessing perChannelStandardisation(Examples train) {
        double scale = 1.0 / 255.0;
        byte[] values = ((ExampleValues.UnsignedBytes) train.values()).values();
        int perChannel = RGB.valuesPerChannel();
        double[] sum = new double[3];
        double[] squares = new double[3];
        for (int i = 0; i < values.length; i++) {
            int c = (i % RGB.size()) / perChannel;
            double x = (values[i] & 0xFF) * scale;
            sum[c] += x;
            squares[c] += x * x;
        }
        double n = (double) train.size() * perChannel;
        List<Double> mean = List.of(sum[0] / n, sum[1] / n, sum[2] / n);
        List<Double> std = List.of(0, 1, 2).stream()
                .map(c -> Math.sqrt(squares[c] / n - mean.get(c) * mean.get(c))).toList();
        return new Preprocessing(scale, mean, std);
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
