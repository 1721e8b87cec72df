package io.l0sparsify.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import io.l0sparsify.dataset.Preprocessing;
import io.l0sparsify.export.DataConventions;
import io.l0sparsify.export.GraphInterface;
import io.l0sparsify.export.OnnxExporter;
import io.l0sparsify.export.OnnxRuntimeRunner;
import io.l0sparsify.l0.GatedLayer;
import io.l0sparsify.l0.L0Network;
import io.l0sparsify.l0.TrainingOptions;
import io.l0sparsify.prune.PrunedNetwork;
import io.l0sparsify.prune.Pruner;
import io.l0sparsify.spec.LayerSpec;
import io.l0sparsify.spec.SpecLimits;
import io.l0sparsify.testing.Logits;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/**
 * Imports of models written by torch.onnx.export (scripts/fixtures/make_model_fixtures.py and
 * make_import_fixtures.py): with its gates open, the imported network computes what ONNX Runtime computes for
 * the uploaded file, on random inputs, for every supported pattern.
 */
class NetworkImportTest {

    private static final Path IMPORT = Path.of("src/test/resources/models/import");
    /** Gates whose deterministic value is 1: log α = ln(0.95/0.05) ≈ 2.94 ≥ ln 11. */
    static final TrainingOptions OPEN = TrainingOptions.builder().optInitialDropRates(List.of(0.05)).build();

    static ModelGraph graph(String name) throws Exception {
        Path file = Files.exists(IMPORT.resolve(name + ".onnx")) ? IMPORT.resolve(name + ".onnx")
                : OnnxModelReaderTest.DIR.resolve(name + ".onnx");
        return new OnnxModelReader(OnnxModelReaderTest.LIMITS).read(file);
    }

    static byte[] bytes(String name) throws Exception {
        Path file = Files.exists(IMPORT.resolve(name + ".onnx")) ? IMPORT.resolve(name + ".onnx")
                : OnnxModelReaderTest.DIR.resolve(name + ".onnx");
        return Files.readAllBytes(file);
    }

    @ParameterizedTest
    @ValueSource(strings = {"mlp_gemm", "mlp_matmul_add", "cnn_bn_folded", "cnn_bn_kept", "resnet_small",
            "resnet_small_folded", "lenet_bn_kept", "resnet_projection", "resnet_preact_folded", "colours_resnet",
            "cnn_dilated"})
    void theImportedNetworkWithOpenGatesComputesWhatOnnxRuntimeComputesForTheUpload(String name) throws Exception {
        ModelGraph graph = graph(name);
        ImportedNetwork imported = NetworkImport.of(graph, SpecLimits.DEFAULT);
        int batch = 64;
        float[] inputs = gaussian(batch * graph.inputShape().stream().mapToInt(Integer::intValue)
                .reduce(1, Math::multiplyExact));
        float[][] expected = OnnxRuntimeRunner.run(bytes(name), inputs, batch);
        float[][] actual;
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            L0Network network = L0Network.build(imported.spec(), OPEN);
            network.initialize(manager, OPEN, imported.parameters());
            NDArray logits = network.predict(manager.create(inputs, network.inputShape(batch)));
            actual = Logits.rows(activation(logits, imported.output()).toFloatArray(), batch);
        }
        assertThat(Logits.maxDifference(expected, actual)).as("largest difference from ONNX Runtime on the upload")
                .isLessThan(1e-4);
        assertThat(imported.spec().numClasses()).isEqualTo(expected[0].length);
    }

    /**
     * The drop-in export of every pattern: with half of every gated layer's gates closed, the pruned model.onnx
     * (the upload's names and output function) gives the gated network's outputs within 1e-4 in ONNX Runtime, and
     * is smaller.
     */
    @ParameterizedTest
    @ValueSource(strings = {"mlp_gemm", "mlp_matmul_add", "cnn_bn_folded", "cnn_bn_kept", "resnet_small",
            "resnet_small_folded", "lenet_bn_kept", "resnet_projection", "resnet_preact_folded", "colours_resnet",
            "cnn_dilated"})
    void thePrunedDropInModelGivesTheGatedNetworksOutputs(String name) throws Exception {
        ModelGraph graph = graph(name);
        ImportedNetwork imported = NetworkImport.of(graph, SpecLimits.DEFAULT);
        int batch = 64;
        float[] inputs = gaussian(batch * graph.inputShape().stream().mapToInt(Integer::intValue)
                .reduce(1, Math::multiplyExact));
        GraphInterface io = imported.graphInterface();
        float[][] gated;
        PrunedNetwork pruned;
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            L0Network network = L0Network.build(imported.spec(), OPEN);
            network.initialize(manager, OPEN, imported.parameters());
            for (GatedLayer layer : network.weightedLayers()) {
                if (layer.gated()) {
                    float[] logAlpha = layer.logAlpha().getArray().toFloatArray();
                    for (int g = 0; g < logAlpha.length; g += 2) {
                        logAlpha[g] = -10f;
                    }
                    layer.logAlpha().getArray().set(FloatBuffer.wrap(logAlpha));
                }
            }
            NDArray logits = network.predict(manager.create(inputs, network.inputShape(batch)));
            gated = Logits.rows(activation(logits, imported.output()).toFloatArray(), batch);
            pruned = Pruner.prune(imported.spec(), network.snapshot());
        }
        int channels = graph.inputShape().size() == 3 ? graph.inputShape().get(0) : 1;
        byte[] onnx = OnnxExporter.export(pruned, name, new DataConventions(Preprocessing.scaleOnly(1, channels),
                List.of()), io);
        assertThat(Logits.maxDifference(gated, OnnxRuntimeRunner.run(onnx, inputs, batch))).isLessThan(1e-4);
        assertThat(pruned.parameterCount()).isLessThan(imported.spec().parameterCount());
        try (OrtSession session = OrtEnvironment.getEnvironment().createSession(onnx,
                new OrtSession.SessionOptions())) {
            assertThat(session.getInputNames()).containsExactly(graph.inputName());
            assertThat(session.getOutputNames()).containsExactlyElementsOf(graph.outputNames());
        }
    }

    private static NDArray activation(NDArray logits, GraphInterface.Output output) {
        return switch (output) {
            case LOGITS -> logits;
            case SOFTMAX -> logits.softmax(1);
            case LOG_SOFTMAX -> logits.logSoftmax(1);
        };
    }

    private static float[] gaussian(int n) {
        float[] values = new float[n];
        Random random = new Random(3);
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }


    @Test
    void atStepZeroTheGatedNetworksTestAccuracyIsTheUploadsByOnnxRuntime() throws Exception {
        // the colours test split as the upload was trained to take it: NHWC bytes to NCHW, x / 255
        byte[] x = Files.readAllBytes(Path.of("src/test/resources/e2e/colours_test_x.raw"));
        byte[] y = Files.readAllBytes(Path.of("src/test/resources/e2e/colours_test_y.raw"));
        float[] inputs = new float[y.length * 192];
        for (int n = 0; n < y.length; n++) {
            for (int p = 0; p < 64; p++) {
                for (int c = 0; c < 3; c++) {
                    inputs[n * 192 + c * 64 + p] = (x[n * 192 + p * 3 + c] & 0xFF) / 255f;
                }
            }
        }
        float[][] upload = OnnxRuntimeRunner.run(bytes("colours_resnet"), inputs, y.length);
        ImportedNetwork imported = NetworkImport.of(graph("colours_resnet"), SpecLimits.DEFAULT);
        float[][] gated;
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            L0Network network = L0Network.build(imported.spec(), OPEN);
            network.initialize(manager, OPEN, imported.parameters());
            gated = Logits.rows(network.predict(manager.create(inputs, network.inputShape(y.length))).toFloatArray(),
                    y.length);
        }
        int uploadCorrect = 0;
        int gatedCorrect = 0;
        for (int n = 0; n < y.length; n++) {
            uploadCorrect += argmax(upload[n]) == y[n] ? 1 : 0;
            gatedCorrect += argmax(gated[n]) == y[n] ? 1 : 0;
        }
        assertThat(gatedCorrect).isEqualTo(uploadCorrect);
        assertThat(uploadCorrect).isGreaterThan(y.length * 9 / 10);
    }

    private static int argmax(float[] row) {
        int best = 0;
        for (int c = 1; c < row.length; c++) {
            best = row[c] > row[best] ? c : best;
        }
        return best;
    }

    @Test
    void gatesSitWhereRemovalIsExactAndShortcutsBecomeResidualBlocks() throws Exception {
        ImportedNetwork projection = NetworkImport.of(graph("resnet_projection"), SpecLimits.DEFAULT);
        assertThat(projection.inputName()).isEqualTo("pixels");
        assertThat(projection.outputName()).isEqualTo("log_probs");
        assertThat(projection.output()).isEqualTo(GraphInterface.Output.LOG_SOFTMAX);
        List<LayerSpec> layers = projection.spec().layers();
        // stem conv + BN + ReLU: the map joins the residual stream, so the stem is not gated
        assertThat(layers.get(0)).isEqualTo(new LayerSpec.Conv2d(8, 3, 1, 1, false));
        LayerSpec.Residual identity = (LayerSpec.Residual) layers.get(3);
        assertThat(identity.shortcut()).isEqualTo(new LayerSpec.Shortcut.Identity());
        // the block's first conv (its map is read by the second conv only) is gated, its last conv is not
        assertThat(identity.body().get(0)).isEqualTo(new LayerSpec.Conv2d(8, 3, 1, 1, true));
        assertThat(identity.body().get(3)).isEqualTo(new LayerSpec.Conv2d(8, 3, 1, 1, false));
        LayerSpec.Residual strided = (LayerSpec.Residual) layers.get(5);
        assertThat(strided.shortcut()).isEqualTo(new LayerSpec.Shortcut.Projection(2));
        assertThat(projection.foldedNormalizations()).hasSize(1);
        assertThat(layers.getLast()).isEqualTo(new LayerSpec.Dense(4, true));

        ImportedNetwork lenet = NetworkImport.of(graph("lenet_bn_kept"), SpecLimits.DEFAULT);
        assertThat(lenet.spec().layers()).startsWith(new LayerSpec.Conv2d(6, 3, 1, 1, true), new LayerSpec.BatchNorm(),
                new LayerSpec.Relu(), new LayerSpec.MaxPool(2, 2), new LayerSpec.Conv2d(8, 3, 1, 0, true));
    }

    @Test
    void aModelTheTrainerCannotTakeIsRefusedNamingTheNode() throws Exception {
        assertThatThrownBy(() -> NetworkImport.of(graph("refused_rect_kernel"), SpecLimits.DEFAULT))
                .isInstanceOf(ModelImportException.class)
                .hasMessage("node '/conv/Conv': kernel [3, 1] is not the same for height and width, which"
                        + " fine-tuning needs");
        assertThatThrownBy(() -> NetworkImport.of(graph("refused_no_dense"), SpecLimits.DEFAULT))
                .isInstanceOf(ModelImportException.class).hasMessageContaining("must end in a dense layer");
        // within the service's limits as a spec a user wrote would be
        assertThatThrownBy(() -> NetworkImport.of(graph("colours_resnet"), new SpecLimits(30, 4096, 11, 1000)))
                .isInstanceOf(ModelImportException.class).hasMessageContaining("parameters");
    }

}
