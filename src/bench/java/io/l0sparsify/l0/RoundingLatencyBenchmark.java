package io.l0sparsify.l0;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import io.l0sparsify.dataset.Preprocessing;
import io.l0sparsify.export.DataConventions;
import io.l0sparsify.export.OnnxExporter;
import io.l0sparsify.export.OnnxRuntimeRunner;
import io.l0sparsify.prune.LayerParameters;
import io.l0sparsify.prune.PrunedNetwork;
import io.l0sparsify.prune.Pruner;
import io.l0sparsify.spec.LayerSpec;
import io.l0sparsify.spec.ModelSpec;
import io.l0sparsify.spec.Presets;
import java.io.IOException;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * What {@code training.roundUnitsTo} does to ONNX Runtime latency: a pruned preset network of a given
 * architecture, and the same network with its kept units rounded up to each multiple by the service's own
 * rounding ({@link UnitRounding#round}, then {@link Pruner#prune} and {@link OnnxExporter#export}), timed in
 * alternating rounds so that drift of a shared machine spreads over every model alike.
 *
 * <pre>
 * scripts/run-main io.l0sparsify.l0.RoundingLatencyBenchmark --preset mlp --kept 465,121,99 \
 *     --out docs/benchmarks/rounding-mlp [--multiples 1,4,8,16,32] [--rounds 21] [--calls 200] [--threads 1]
 * </pre>
 *
 * <p>Latency depends on shapes, not values, so the weights are seeded random numbers; which groups stay open
 * is a seeded draw too, and the closed groups get seeded random log α below the open ones, so the rounding
 * reopens the same kind of groups it would after training. Before timing, every rounded model's outputs are
 * checked against the unrounded one's on random inputs: the rounding must not change the function.
 */
@Command(name = "RoundingLatencyBenchmark", mixinStandardHelpOptions = true,
        description = "ONNX Runtime latency of a pruned network with its kept units rounded up to multiples")
public final class RoundingLatencyBenchmark implements Callable<Integer> {

    @Option(names = "--preset", required = true, description = "mlp or lenet5-caffe")
    String preset;

    @Option(names = "--kept", required = true, split = ",",
            description = "kept groups per gated layer, in order (the architecture string of result.json)")
    int[] kept;

    @Option(names = "--multiples", split = ",", defaultValue = "1,4,8,16,32",
            description = "roundUnitsTo values to compare; 1 is the unrounded network")
    int[] multiples;

    @Option(names = "--batch", split = ",", defaultValue = "1,100", description = "batch sizes")
    int[] batches;

    @Option(names = "--threads", defaultValue = "1", description = "ONNX Runtime intra-op threads")
    int threads;

    @Option(names = "--rounds", defaultValue = "21", description = "alternating rounds over the models")
    int rounds;

    @Option(names = "--calls", defaultValue = "200", description = "timed calls per model and round")
    int calls;

    @Option(names = "--seed", defaultValue = "1")
    long seed;

    @Option(names = "--out", required = true, description = "report path without extension")
    Path out;

    /** One rounded variant: its multiple, its architecture, its size and its ONNX bytes. */
    private record Variant(int multiple, String architecture, long parameters, long flops, byte[] onnx) {}

    public static void main(String[] args) {
        System.exit(new CommandLine(new RoundingLatencyBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws IOException, OrtException {
        ModelSpec spec = Presets.byName(preset).orElseThrow(() -> new CommandLine.ParameterException(
                new CommandLine(this), "--preset: no preset " + preset));
        SplittableRandom random = new SplittableRandom(seed);
        List<GatedValues> gated = drawGates(spec, random);
        List<LayerParameters> weights = randomWeights(spec, random);
        int classes = spec.outputShapes().getLast()[0];
        int features = spec.inputShape().stream().mapToInt(Integer::intValue).reduce(1, Math::multiplyExact);
        DataConventions conventions = new DataConventions(Preprocessing.scaleOnly(1.0 / 255.0, 1),
                IntStream.range(0, classes).mapToObj(Integer::toString).toList());

        List<Variant> variants = new ArrayList<>();
        // by spec layer (a spec without residual blocks: flat index = layer index), null where ungated
        List<float[]> z = new ArrayList<>(Collections.nCopies(spec.layers().size(), (float[]) null));
        List<float[]> logAlphas = new ArrayList<>(z);
        int g = 0;
        for (LayerParameters p : weights) {
            if (LayerSpec.isGated(spec.layers().get(p.specIndex()))) {
                GatedValues v = gated.get(g++);
                z.set(p.specIndex(), v.z());
                logAlphas.set(p.specIndex(), v.logAlpha());
            }
        }
        for (int multiple : multiples) {
            List<float[]> rounded = UnitRounding.round(spec, z, logAlphas, multiple);
            List<LayerParameters> withGates = new ArrayList<>();
            for (LayerParameters p : weights) {
                withGates.add(new LayerParameters(p.specIndex(), p.weight(), p.bias(), rounded.get(p.specIndex())));
            }
            PrunedNetwork pruned = Pruner.prune(spec, withGates);
            variants.add(new Variant(multiple, pruned.architecture(), pruned.parameterCount(), pruned.flops(),
                    OnnxExporter.export(pruned, "rounded-" + multiple, conventions)));
        }
        double maxDifference = checkSameFunction(variants, features);

        Map<Integer, double[][]> microsByBatch = new LinkedHashMap<>();
        for (int batch : batches) {
            microsByBatch.put(batch, time(variants, batch, features));
        }
        write(variants, microsByBatch, maxDifference);
        return 0;
    }

    /** Test-time gates and log α of one gated layer. */
    private record GatedValues(float[] z, float[] logAlpha) {}

    /**
     * Opens {@code kept[i]} groups of the i-th gated layer, drawn among those still fed by the kept units
     * before it (a dense layer after a flattened convolution can only keep inputs of maps that remain).
     */
    private List<GatedValues> drawGates(ModelSpec spec, SplittableRandom random) {
        List<GatedValues> result = new ArrayList<>();
        List<int[]> shapes = spec.outputShapes();
        boolean[] available = allTrue(spec.inputShape().stream().mapToInt(Integer::intValue).reduce(1, (a, b) -> a * b));
        boolean[] channels = spec.inputShape().size() == 3 ? allTrue(spec.inputShape().get(0)) : null;
        int gatedIndex = 0;
        for (int i = 0; i < spec.layers().size(); i++) {
            int[] shape = shapes.get(i);
            switch (spec.layers().get(i)) {
                case LayerSpec.Residual _, LayerSpec.BatchNorm _, LayerSpec.GlobalAvgPool _ ->
                    throw unsupported(spec.layers().get(i));
                case LayerSpec.Conv2d c -> {
                    channels = allTrue(c.filters());
                    if (c.gated()) {
                        GatedValues v = draw(channels, need(gatedIndex++), random);
                        for (int f = 0; f < c.filters(); f++) {
                            channels[f] = v.z()[f] > 0;
                        }
                        result.add(v);
                    }
                }
                case LayerSpec.Flatten _ -> {
                    int perChannel = shape.length == 1 && channels != null ? shape[0] / channels.length : 1;
                    available = new boolean[shape[0]];
                    for (int k = 0; k < available.length; k++) {
                        available[k] = channels == null || channels[k / perChannel];
                    }
                }
                case LayerSpec.Dense d -> {
                    if (d.gated()) {
                        result.add(draw(available, need(gatedIndex++), random));
                    }
                    available = allTrue(d.units());
                }
                case LayerSpec.MaxPool _, LayerSpec.AvgPool _, LayerSpec.Relu _, LayerSpec.Dropout _ -> {
                    // shapes pass through; what is available stays
                }
            }
        }
        if (gatedIndex != kept.length) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--kept: " + kept.length
                    + " numbers for a preset with " + gatedIndex + " gated layers");
        }
        return result;
    }

    /** The draw of open groups follows units through plain networks only: dense, conv, pooling, flatten. */
    private static IllegalArgumentException unsupported(LayerSpec layer) {
        return new IllegalArgumentException("--preset: this benchmark handles networks of dense, conv, pooling and"
                + " flatten layers; found " + layer.type());
    }

    private int need(int gatedIndex) {
        if (gatedIndex >= kept.length) {
            throw new CommandLine.ParameterException(new CommandLine(this),
                    "--kept: too few numbers for the preset's gated layers");
        }
        return kept[gatedIndex];
    }

    private GatedValues draw(boolean[] available, int open, SplittableRandom random) {
        List<Integer> candidates = IntStream.range(0, available.length).filter(k -> available[k]).boxed()
                .collect(Collectors.toCollection(ArrayList::new));
        if (open < 1 || open > candidates.size()) {
            throw new CommandLine.ParameterException(new CommandLine(this), "--kept: " + open
                    + " kept groups where " + candidates.size() + " can be kept");
        }
        Collections.shuffle(candidates, new Random(random.nextLong()));
        float[] z = new float[available.length];
        float[] logAlpha = new float[available.length];
        for (int k = 0; k < available.length; k++) {
            // groups no unit feeds any more would be driven down hardest by the penalty
            logAlpha[k] = available[k] ? (float) (-6 + 5 * random.nextDouble()) : -20f;
        }
        for (int k = 0; k < open; k++) {
            int group = candidates.get(k);
            z[group] = (float) (0.5 + 0.5 * random.nextDouble());
            logAlpha[group] = 3f;
        }
        return new GatedValues(z, logAlpha);
    }

    private static List<LayerParameters> randomWeights(ModelSpec spec, SplittableRandom random) {
        List<LayerParameters> result = new ArrayList<>();
        for (int i = 0; i < spec.layers().size(); i++) {
            int[] in = spec.inputShapeOf(i);
            switch (spec.layers().get(i)) {
                case LayerSpec.Residual _, LayerSpec.BatchNorm _, LayerSpec.GlobalAvgPool _ ->
                    throw unsupported(spec.layers().get(i));
                case LayerSpec.Dense d -> result.add(new LayerParameters(i,
                        uniform(d.units() * in[0], in[0], random), uniform(d.units(), in[0], random), null));
                case LayerSpec.Conv2d c -> {
                    int fanIn = in[0] * c.kernel() * c.kernel();
                    result.add(new LayerParameters(i, uniform(c.filters() * fanIn, fanIn, random),
                            uniform(c.filters(), fanIn, random), null));
                }
                case LayerSpec.MaxPool _, LayerSpec.AvgPool _, LayerSpec.Relu _, LayerSpec.Flatten _,
                        LayerSpec.Dropout _ -> {
                    // no weights
                }
            }
        }
        return result;
    }

    private static float[] uniform(int n, int fanIn, SplittableRandom random) {
        double bound = 1 / Math.sqrt(fanIn);
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) ((2 * random.nextDouble() - 1) * bound);
        }
        return values;
    }

    private static boolean[] allTrue(int n) {
        boolean[] values = new boolean[n];
        Arrays.fill(values, true);
        return values;
    }

    /** The largest output difference of any rounded model from the unrounded one on 100 random inputs. */
    private static double checkSameFunction(List<Variant> variants, int features) {
        float[] inputs = new float[100 * features];
        SplittableRandom random = new SplittableRandom(7);
        for (int i = 0; i < inputs.length; i++) {
            inputs[i] = (float) random.nextDouble();
        }
        float[][] reference = OnnxRuntimeRunner.run(variants.getFirst().onnx(), inputs, 100);
        double worst = 0;
        for (Variant v : variants) {
            float[][] outputs = OnnxRuntimeRunner.run(v.onnx(), inputs, 100);
            for (int e = 0; e < outputs.length; e++) {
                for (int c = 0; c < outputs[e].length; c++) {
                    worst = Math.max(worst, Math.abs(outputs[e][c] - reference[e][c]));
                }
            }
        }
        if (worst > 1e-4) {
            throw new IllegalStateException("rounding changed the outputs by " + worst);
        }
        return worst;
    }

    /** Mean microseconds per call, [variant][round], the variants taken in a new random order each round. */
    private double[][] time(List<Variant> variants, int batch, int features) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        float[] values = new float[batch * features];
        SplittableRandom random = new SplittableRandom(42);
        for (int i = 0; i < values.length; i++) {
            values[i] = (float) random.nextDouble();
        }
        List<Integer> dims = Presets.byName(preset).orElseThrow().inputShape();
        long[] shape = new long[dims.size() + 1];
        shape[0] = batch;
        for (int i = 0; i < dims.size(); i++) {
            shape[i + 1] = dims.get(i);
        }
        List<OrtSession> sessions = new ArrayList<>();
        double[][] micros = new double[variants.size()][rounds];
        try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
                OnnxTensor tensor = OnnxTensor.createTensor(env, FloatBuffer.wrap(values), shape)) {
            options.setIntraOpNumThreads(threads);
            options.setInterOpNumThreads(1);
            options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
            for (Variant v : variants) {
                sessions.add(env.createSession(v.onnx(), options));
            }
            Map<String, OnnxTensor> feed = Map.of(OnnxExporter.INPUT_NAME, tensor);
            for (OrtSession session : sessions) {
                for (int i = 0; i < calls; i++) {
                    session.run(feed).close();
                }
            }
            List<Integer> order = IntStream.range(0, variants.size()).boxed()
                    .collect(Collectors.toCollection(ArrayList::new));
            Random shuffle = new Random(seed);
            for (int r = 0; r < rounds; r++) {
                Collections.shuffle(order, shuffle);
                for (int m : order) {
                    OrtSession session = sessions.get(m);
                    long start = System.nanoTime();
                    for (int i = 0; i < calls; i++) {
                        session.run(feed).close();
                    }
                    micros[m][r] = (System.nanoTime() - start) / 1000.0 / calls;
                }
            }
        } finally {
            for (OrtSession session : sessions) {
                session.close();
            }
        }
        return micros;
    }

    private static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    private static double quantile(double[] values, double q) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        return sorted[(int) Math.round(q * (sorted.length - 1))];
    }

    private void write(List<Variant> variants, Map<Integer, double[][]> microsByBatch, double maxDifference)
            throws IOException {
        String command = "scripts/run-main io.l0sparsify.l0.RoundingLatencyBenchmark --preset " + preset
                + " --kept " + joined(kept) + " --multiples " + joined(multiples) + " --batch " + joined(batches)
                + " --threads " + threads + " --rounds " + rounds + " --calls " + calls + " --seed " + seed
                + " --out " + out;
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("command", command);
        json.put("date", Instant.now().toString());
        json.put("onnxRuntime", OnnxRuntimeRunner.onnxRuntimeVersion());
        json.put("cpu", cpuName());
        json.put("threads", threads);
        json.put("maxOutputDifference", maxDifference);
        List<Map<String, Object>> rows = new ArrayList<>();
        StringBuilder md = new StringBuilder();
        md.append("# Rounding kept units: ").append(preset).append(' ').append(joined(kept).replace(',', '-'))
                .append("\n\nCommand: `").append(command).append("`  \n")
                .append("ONNX Runtime ").append(OnnxRuntimeRunner.onnxRuntimeVersion()).append(", ")
                .append(threads).append(" intra-op thread(s), CPU: ").append(cpuName()).append(".  \n")
                .append(rounds).append(" rounds; in each, every model in a new random order makes ").append(calls)
                .append(" calls. The table gives, per model, the fastest round's mean µs per call (other work on")
                .append(" the machine only ever adds time, so the minimum is the least disturbed figure), the")
                .append(" median round in parentheses, and the ratio of the minima to the unrounded model's.")
                .append(" The rounded models' outputs differ from")
                .append(" the unrounded one's by at most ").append(String.format(Locale.ROOT, "%.1e", maxDifference))
                .append(" (same function, larger shapes).\n\n")
                .append("| roundUnitsTo | architecture | parameters | FLOPs |");
        for (int batch : microsByBatch.keySet()) {
            md.append(" batch ").append(batch).append(", µs: min (median) | vs unrounded |");
        }
        md.append("\n|---|---|---|---|");
        md.append("---|---|".repeat(microsByBatch.size()));
        md.append('\n');
        for (int v = 0; v < variants.size(); v++) {
            Variant variant = variants.get(v);
            Map<String, Object> row = new LinkedHashMap<>();
            row.put("roundUnitsTo", variant.multiple());
            row.put("architecture", variant.architecture());
            row.put("parameters", variant.parameters());
            row.put("flops", variant.flops());
            md.append("| ").append(variant.multiple()).append(" | ").append(variant.architecture()).append(" | ")
                    .append(variant.parameters()).append(" | ").append(variant.flops()).append(" |");
            for (Map.Entry<Integer, double[][]> e : microsByBatch.entrySet()) {
                double[] rounds = e.getValue()[v];
                double median = median(rounds);
                double min = quantile(rounds, 0);
                double baseMin = quantile(e.getValue()[0], 0);
                row.put("batch" + e.getKey() + "MinMicros", min);
                row.put("batch" + e.getKey() + "MedianMicros", median);
                row.put("batch" + e.getKey() + "P10Micros", quantile(rounds, 0.1));
                row.put("batch" + e.getKey() + "P90Micros", quantile(rounds, 0.9));
                row.put("batch" + e.getKey() + "RoundsMicros", rounds);
                md.append(String.format(Locale.ROOT, " %.1f (%.1f) | %.2f× |", min, median, min / baseMin));
            }
            md.append('\n');
            rows.add(row);
        }
        json.put("variants", rows);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.writeString(Path.of(out + ".md"), md, StandardCharsets.UTF_8);
        JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build()
                .writeValue(Path.of(out + ".json").toFile(), json);
        System.out.print(md);
    }

    private static String joined(int[] values) {
        return Arrays.stream(values).mapToObj(Integer::toString).collect(Collectors.joining(","));
    }

    private static String cpuName() {
        try {
            return Files.readAllLines(Path.of("/proc/cpuinfo")).stream().filter(l -> l.startsWith("model name"))
                    .findFirst().map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("unknown");
        } catch (IOException | RuntimeException e) {
            return "unknown";
        }
    }
}
