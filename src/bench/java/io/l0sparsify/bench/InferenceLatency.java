package io.l0sparsify.bench;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import io.l0sparsify.export.DataConventions;
import io.l0sparsify.export.OnnxExporter;
import io.l0sparsify.export.WeightsJson;
import io.l0sparsify.prune.PrunedLayer;
import io.l0sparsify.prune.PrunedNetwork;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;

/**
 * JMH micro-benchmark: the latency of one ONNX Runtime call ({@code session.run}) on one of the models that
 * {@link InferenceBenchmark} compares, at a batch size and an intra-op thread count. One session and one input
 * tensor (uniform random values in [0, 1), fixed seed) serve every call of a trial, so only the run and the
 * allocation of its output are measured. {@link InferenceBenchmark} runs it and writes the report; JMH's own
 * runner works too, given the {@code dense} and {@code pruned} parameters.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.SampleTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
public class InferenceLatency {

    /** What is timed, built from the dense and the pruned network. */
    public enum Model {
        /** The trained network with its gates folded in and every unit kept. */
        DENSE,
        /** The pruned network, fed the full input (it selects its kept inputs itself). */
        PRUNED,
        /** The pruned network fed only its kept inputs: what remains without the selection. */
        PRUNED_KEPT_INPUTS,
        /**
         * One input value per example into one Gemm, of the dense network's input and output shape: the per-call
         * cost no pruning can remove.
         */
        FLOOR;

        /** The ONNX model, or empty where the pruned network has no kept-input form. */
        Optional<byte[]> onnx(PrunedNetwork dense, PrunedNetwork pruned, DataConventions conventions) {
            return switch (this) {
                case DENSE -> Optional.of(OnnxExporter.export(dense, "dense", conventions));
                case PRUNED -> Optional.of(OnnxExporter.export(pruned, "pruned", conventions));
                case PRUNED_KEPT_INPUTS -> pruned.keptInputsOnly().map(n -> OnnxExporter.export(n, "pruned-compact",
                        conventions.forKeptInputs(((PrunedLayer.Dense) pruned.layers().getFirst()).keptInputs())));
                case FLOOR -> Optional.of(OnnxExporter.export(floorNetwork(dense), "floor", conventions));
            };
        }
    }

    /** Path of the dense network's weights.json (gates folded, every unit kept). */
    @Param("")
    public String dense;

    /** Path of the pruned network's weights.json. */
    @Param("")
    public String pruned;

    @Param({"DENSE", "PRUNED"})
    public Model model;

    @Param({"1", "100"})
    public int batch;

    @Param("1")
    public int threads;

    private OrtSession.SessionOptions options;
    private OrtSession session;
    private OnnxTensor input;
    private Map<String, OnnxTensor> feed;

    @Setup(Level.Trial)
    public void open() throws IOException, OrtException {
        byte[] onnx = model.onnx(read(dense), read(pruned), conventions(pruned)).orElseThrow(() -> new IllegalArgumentException(
                "the pruned network " + pruned + " has no kept-input form"));
        OrtEnvironment environment = environment();
        options = new OrtSession.SessionOptions();
        // As the service measures latency (OnnxRuntimeRunner): intra-op threads as asked, sequential execution.
        options.setIntraOpNumThreads(threads);
        options.setInterOpNumThreads(1);
        options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
        options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
        session = environment.createSession(onnx, options);
        long[] shape = batchShape(session, batch);
        float[] values = new float[Math.toIntExact(Arrays.stream(shape).reduce(1, Math::multiplyExact))];
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextDouble();
        }
        input = OnnxTensor.createTensor(environment, FloatBuffer.wrap(values), shape);
        feed = Map.of(OnnxExporter.INPUT_NAME, input);
    }

    /** One call; the number of outputs is returned so that JMH consumes the result. */
    @Benchmark
    public int run() throws OrtException {
        try (OrtSession.Result result = session.run(feed)) {
            return result.size();
        }
    }

    @TearDown(Level.Trial)
    public void close() throws OrtException {
        input.close();
        session.close();
        options.close();
    }

    /**
     * The smallest network with the same input and output: one input value per example feeds one Gemm. Its
     * latency at batch 1 is the per-call cost that does not depend on the network's size.
     */
    static PrunedNetwork floorNetwork(PrunedNetwork like) {
        int inputs = like.inputShape().stream().mapToInt(Integer::intValue).reduce(1, Math::multiplyExact);
        int classes = like.numClasses();
        PrunedLayer.Dense only = new PrunedLayer.Dense("floor", false, inputs, classes, new int[] {0},
                IntStream.range(0, classes).toArray(), new int[] {0}, new float[classes], new float[classes]);
        return new PrunedNetwork(like.inputShape(), List.of(only), classes);
    }

    /** The preprocessing and class names a weights.json records, for models the size of those delivered. */
    static DataConventions conventions(String weightsJson) throws IOException {
        return WeightsJson.readConventions(Files.readAllBytes(Path.of(weightsJson)));
    }

    static PrunedNetwork read(String weightsJson) throws IOException {
        return WeightsJson.read(Files.readAllBytes(Path.of(weightsJson)));
    }

    /**
     * ONNX Runtime's process-wide environment. It extracts its native library under {@code java.io.tmpdir} and
     * fails when that directory is missing (as when it points into a build folder), so the directory comes first.
     */
    static OrtEnvironment environment() throws IOException {
        Files.createDirectories(Path.of(System.getProperty("java.io.tmpdir")));
        return OrtEnvironment.getEnvironment();
    }

    /** The input's shape as the model declares it, with its dynamic batch dimension set to {@code batch}. */
    private static long[] batchShape(OrtSession session, int batch) throws OrtException {
        NodeInfo info = session.getInputInfo().get(OnnxExporter.INPUT_NAME);
        long[] shape = ((TensorInfo) info.getInfo()).getShape().clone();
        shape[0] = batch;
        return shape;
    }
}
