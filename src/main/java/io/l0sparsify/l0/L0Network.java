package io.l0sparsify.l0;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Blocks;
import ai.djl.nn.LambdaBlock;
import ai.djl.ndarray.NDList;
import ai.djl.nn.ParallelBlock;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.norm.Dropout;
import ai.djl.nn.pooling.Pool;
import io.l0sparsify.prune.AvgPool2d;
import io.l0sparsify.prune.LayerParameters;
import io.l0sparsify.spec.LayerSpec;
import io.l0sparsify.spec.ModelSpec;
import io.l0sparsify.spec.NetworkWalk;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/**
 * A {@link ModelSpec} turned into DJL blocks: gated dense and conv layers and batch normalization from this
 * package, DJL's own blocks for ReLU, pooling, flattening and dropout, and a residual block as DJL's
 * {@link ParallelBlock} of its body and its shortcut (identity or an ungated 1×1 {@link GatedConv2d}) joined by
 * addition. Keeps the weighted layers in the spec's walk order ({@link NetworkWalk}) so the penalty, the metrics
 * and the pruner can walk them.
 */
public final class L0Network {

    private final ModelSpec spec;
    private final HardConcreteGate gate;
    private final GateNoise noise;
    private final SequentialBlock block = new SequentialBlock();
    /** Dense and conv layers, gated or not, in spec order. */
    private final List<AbstractGatedLayer> weighted = new ArrayList<>();
    /** For each entry of {@link #weighted}, its flat index in the spec (see {@link NetworkWalk}). */
    private final List<Integer> weightedSpecIndex = new ArrayList<>();
    /** Batch normalization layers in walk order, and their flat indices. */
    private final List<BatchNormLayer> norms = new ArrayList<>();
    private final List<Integer> normSpecIndex = new ArrayList<>();
    private final List<NetworkWalk.Step.Unit> units;
    /** The next unit's flat index while building. */
    private int flatIndex;

    private L0Network(ModelSpec spec, TrainingOptions config) {
        this.spec = spec;
        this.gate = HardConcreteGate.withTemperature(config.beta());
        this.noise = new GateNoise(config.seed());
        this.units = spec.walk().units();
        addAll(block, spec.layers(), config.perExampleGates());
        if (flatIndex != units.size()) {
            throw new IllegalStateException("built " + flatIndex + " layers but the spec walks " + units.size());
        }
    }

    public static L0Network build(ModelSpec spec, TrainingOptions config) {
        return new L0Network(spec, config);
    }

    /**
     * Adds the blocks of {@code layers} to {@code target}, numbering the units in the walk's (pre-)order.
     *
     * <p>A ReLU just before a max-pooling runs after it instead: the two commute (ReLU is monotone, so the largest
     * of the rectified values is the rectified largest, padding's −∞ included), in the backward pass bit for bit
     * (see {@link #poolsBeforeRelu}), and the ReLU and its backward pass then touch a pooling window's share of the
     * elements: a quarter of the first convolution's 100×20×24×24 maps in LeNet-5-Caffe. PyTorch runs them in the
     * order written. The one difference is a zero's sign: libtorch's ReLU passes −0 through on the CPU, so a window
     * of negatives and a −0 (a flushed subnormal, a closed gate times a negative) gives −0 where the written order
     * gives +0, which no later sum, product or gradient tells apart from +0 except in its own sign.
     */
    private void addAll(SequentialBlock target, List<LayerSpec> layers, boolean perExample) {
        AbstractGatedLayer previous = null;
        for (int i = 0; i < layers.size(); i++) {
            LayerSpec layer = layers.get(i);
            if (poolsBeforeRelu(layer, i + 1 < layers.size() ? layers.get(i + 1) : null)) {
                Block relu = toBlock(layer, perExample, previous);
                target.add(toBlock(layers.get(++i), perExample, null));
                target.add(relu);
                previous = null;
                continue;
            }
            Block b = toBlock(layer, perExample, previous);
            previous = b instanceof GatedConv2d conv && conv.gated() ? conv : null;
            target.add(b);
        }
    }

    /**
     * Whether {@code layer} is a ReLU that runs after the max-pooling {@code next}. The gradients are the same
     * bits either way: where a window's largest input is positive both orders route its gradient to the first
     * position holding it; where it is not, ReLU's backward pass gives 0 (libtorch's is 0 at an input ≤ 0) to
     * whichever position the pooling chose.
     */
    static boolean poolsBeforeRelu(LayerSpec layer, LayerSpec next) {
        return layer instanceof LayerSpec.Relu && next instanceof LayerSpec.MaxPool;
    }

    /** {@code previous}: the gated convolution just before, whose gates a batch normalization here applies. */
    private Block toBlock(LayerSpec layer, boolean perExample, AbstractGatedLayer previous) {
        return switch (layer) {
            case LayerSpec.Dense d ->
                addWeighted(new GatedDense(d.units(), d.gated(), gate, noise, perExample,
                        weighted.isEmpty() && norms.isEmpty()));
            case LayerSpec.Conv2d c -> addWeighted(new GatedConv2d(c.filters(), c.kernel(), c.stride(), c.padding(),
                    c.dilation(), c.gated(), gate, noise, perExample));
            case LayerSpec.MaxPool p -> unit(Pool.maxPool2dBlock(new Shape(p.size(), p.size()),
                    new Shape(p.stride(), p.stride()), new Shape(p.padding(), p.padding())));
            case LayerSpec.AvgPool p -> unit(new LambdaBlock(x -> new NDList(AvgPool2d.apply(x.singletonOrThrow(),
                    p.size(), p.stride(), p.padding(), p.countIncludePad())), "avgpool"));
            case LayerSpec.Relu _ -> unit(Activation.reluBlock());
            case LayerSpec.Flatten _ -> unit(Blocks.batchFlattenBlock());
            case LayerSpec.Dropout d -> unit(Dropout.builder().optRate((float) d.rate()).build());
            case LayerSpec.BatchNorm b -> {
                int index = flatIndex++;
                if (previous instanceof GatedConv2d conv) {
                    if (units.get(index).gateOf() != weightedSpecIndex.getLast()) {
                        throw new IllegalStateException(units.get(index).path() + " should apply the gates of "
                                + units.get(index).gateOf());
                    }
                    conv.deferGate();
                }
                BatchNormLayer bn = new BatchNormLayer(b.eps(), b.momentum(), previous);
                norms.add(bn);
                normSpecIndex.add(index);
                yield bn;
            }
            case LayerSpec.GlobalAvgPool _ -> unit(Pool.globalAvgPool2dBlock());
            case LayerSpec.Residual r -> {
                SequentialBlock body = new SequentialBlock();
                addAll(body, r.body(), perExample);
                Block shortcut = switch (r.shortcut()) {
                    case LayerSpec.Shortcut.Identity _ -> Blocks.identityBlock();
                    case LayerSpec.Shortcut.Projection p -> addWeighted(new GatedConv2d(
                            units.get(flatIndex).outShape()[0], 1, p.stride(), 0, 1, false, gate, noise, perExample));
                };
                yield new ParallelBlock(
                        branches -> new NDList(branches.get(0).singletonOrThrow().add(branches.get(1).singletonOrThrow())),
                        List.of(body, shortcut));
            }
        };
    }

    private Block unit(Block block) {
        flatIndex++;
        return block;
    }

    private Block addWeighted(AbstractGatedLayer layer) {
        weighted.add(layer);
        weightedSpecIndex.add(flatIndex++);
        return layer;
    }

    public ModelSpec spec() {
        return spec;
    }

    public SequentialBlock block() {
        return block;
    }

    public HardConcreteGate gate() {
        return gate;
    }

    GateNoise noise() {
        return noise;
    }

    /** Dense and conv layers in spec order, gated or not. */
    public List<GatedLayer> weightedLayers() {
        return Collections.unmodifiableList(weighted);
    }

    /**
     * Every trained parameter: each weighted layer's weight, bias and (when gated) log α, in walk order, then each
     * batch normalization's γ and β.
     */
    List<Parameter> trainableParameters() {
        List<Parameter> result = new ArrayList<>();
        for (AbstractGatedLayer layer : weighted) {
            result.add(layer.weight());
            result.add(layer.bias());
            if (layer.gated()) {
                result.add(layer.logAlpha());
            }
        }
        for (BatchNormLayer norm : norms) {
            result.add(norm.gamma());
            result.add(norm.beta());
        }
        return result;
    }

    /**
     * Each batch normalization's running mean and variance, in walk order: state without gradient, which
     * checkpoints keep beside the trained parameters and the parameter average leaves alone.
     */
    List<Parameter> runningStatistics() {
        List<Parameter> result = new ArrayList<>();
        for (BatchNormLayer norm : norms) {
            result.add(norm.runningMean());
            result.add(norm.runningVar());
        }
        return result;
    }

    /** The batch normalization layers in walk order. */
    public List<BatchNormLayer> batchNorms() {
        return Collections.unmodifiableList(norms);
    }

    /** Spec index of the i-th weighted layer. */
    int specIndexOfWeighted(int i) {
        return weightedSpecIndex.get(i);
    }

    /** The shape of one batch of {@code batch} inputs. */
    public Shape inputShape(long batch) {
        long[] dims = new long[spec.inputShape().size() + 1];
        dims[0] = batch;
        for (int i = 0; i < spec.inputShape().size(); i++) {
            dims[i + 1] = spec.inputShape().get(i);
        }
        return new Shape(dims);
    }

    /**
     * Creates the parameters on {@code manager} and fills them from a generator seeded with
     * {@code config.seed()}: weights He-normal (std √(2/fan-in)), biases 0, log α ~ N(log(1−d) − log d,
     * 0.01²) with the layer's initial drop rate d.
     */
    public void initialize(NDManager manager, TrainingOptions config) {
        Autograd.disableOnThisThread();
        block.initialize(manager, DataType.FLOAT32, inputShape(1));
        Random random = new Random(config.seed());
        int gatedIndex = 0;
        for (AbstractGatedLayer layer : weighted) {
            NDArray w = layer.weight().getArray();
            Shape shape = w.getShape();
            long fanIn = shape.size() / shape.get(0);
            double std = Math.sqrt(2.0 / fanIn);
            float[] values = new float[Math.toIntExact(shape.size())];
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) (random.nextGaussian() * std);
            }
            NativeArrays.assign(w, values);
            NDArray b = layer.bias().getArray();
            NativeArrays.assign(b, new float[Math.toIntExact(b.size())]);
            if (layer.gated()) {
                double d = config.initialDropRateOf(spec, gatedIndex++);
                double mean = Math.log(1 - d) - Math.log(d);
                NDArray la = layer.logAlpha().getArray();
                float[] alphas = new float[Math.toIntExact(la.size())];
                for (int i = 0; i < alphas.length; i++) {
                    alphas[i] = (float) (mean + 0.01 * random.nextGaussian());
                }
                NativeArrays.assign(la, alphas);
            }
        }
        for (BatchNormLayer norm : norms) {
            int channels = Math.toIntExact(norm.gamma().getArray().size());
            float[] ones = new float[channels];
            java.util.Arrays.fill(ones, 1f);
            NativeArrays.assign(norm.gamma().getArray(), ones);
            NativeArrays.assign(norm.beta().getArray(), new float[channels]);
            NativeArrays.assign(norm.runningMean().getArray(), new float[channels]);
            NativeArrays.assign(norm.runningVar().getArray(), ones);
        }
    }

    /**
     * {@link #initialize(NDManager, TrainingOptions)}, then the weights, biases and batch normalization values of
     * {@code start} (as {@link #snapshot()} gives them, by flat index; their gates are ignored) in place of the
     * drawn ones: a network that continues from trained values, its log α still drawn from the initial drop rate.
     *
     * @throws IllegalArgumentException when a value does not fit its layer
     */
    public void initialize(NDManager manager, TrainingOptions config, List<LayerParameters> start) {
        initialize(manager, config);
        for (LayerParameters values : start) {
            int weightedAt = weightedSpecIndex.indexOf(values.specIndex());
            int normAt = normSpecIndex.indexOf(values.specIndex());
            String path = values.specIndex() < units.size() ? units.get(values.specIndex()).path()
                    : "#" + values.specIndex();
            if (weightedAt >= 0 && values.runningMean() == null) {
                AbstractGatedLayer layer = weighted.get(weightedAt);
                assignChecked(layer.weight().getArray(), values.weight(), path + " weight");
                assignChecked(layer.bias().getArray(), values.bias(), path + " bias");
            } else if (normAt >= 0 && values.runningMean() != null) {
                BatchNormLayer norm = norms.get(normAt);
                assignChecked(norm.gamma().getArray(), values.weight(), path + " scale");
                assignChecked(norm.beta().getArray(), values.bias(), path + " shift");
                assignChecked(norm.runningMean().getArray(), values.runningMean(), path + " running mean");
                assignChecked(norm.runningVar().getArray(), values.runningVar(), path + " running variance");
            } else {
                throw new IllegalArgumentException("starting values for " + path
                        + ", which is not a layer of that kind with weights");
            }
        }
    }

    private static void assignChecked(NDArray target, float[] values, String what) {
        if (target.size() != values.length) {
            throw new IllegalArgumentException(what + ": " + values.length + " values for a parameter of shape "
                    + target.getShape());
        }
        NativeArrays.assign(target, values);
    }

    /**
     * A network with the given parameters (DJL's parameter-file format, as in
     * {@link TrainingResult#gatedParameters()}), ready for evaluation on {@code manager}.
     */
    public static L0Network restore(ModelSpec spec, TrainingOptions config, NDManager manager, byte[] parameters) {
        L0Network network = build(spec, config);
        Autograd.disableOnThisThread();
        network.block.initialize(manager, DataType.FLOAT32, network.inputShape(1));
        try (java.io.DataInputStream in = new java.io.DataInputStream(new java.io.ByteArrayInputStream(parameters))) {
            network.block.loadParameters(manager, in);
        } catch (java.io.IOException | ai.djl.MalformedModelException e) {
            throw new IllegalArgumentException("parameters do not fit " + spec + ": " + e.getMessage(), e);
        }
        return network;
    }

    /** Logits with deterministic gates, {@code [batch, classes]}. */
    public NDArray predict(NDArray input) {
        return block.forward(new ai.djl.training.ParameterStore(input.getManager(), false),
                new ai.djl.ndarray.NDList(input), false).singletonOrThrow();
    }

    /** Clamps every log α into [ln 0.01, ln 100] in place, as the reference does after each step. */
    void clampLogAlphas() {
        for (AbstractGatedLayer layer : weighted) {
            layer.clampLogAlpha();
        }
    }

    /** Makes training use the deterministic gates (see {@link AbstractGatedLayer#freezeGates}). */
    void freezeGates(boolean frozen) {
        for (AbstractGatedLayer layer : weighted) {
            layer.freezeGates(frozen);
        }
    }

    /** Sets log α of every gated layer, in order (as {@link #logAlphas()} gives them). */
    void assignLogAlphas(List<float[]> values) {
        int k = 0;
        for (AbstractGatedLayer layer : weighted) {
            if (layer.gated()) {
                NativeArrays.assign(layer.logAlpha().getArray(), values.get(k++));
            }
        }
    }

    /**
     * The test-time gates ẑ per spec layer for {@link io.l0sparsify.prune.Pruner#size}: null for a layer without
     * gates, computed from {@code logAlphas} (one array per gated layer, in order) and rounded to {@code multiple}
     * as {@link #snapshot(int)} rounds them, so that the size is that of the network delivered.
     */
    List<float[]> testTimeGatesBySpecLayer(List<float[]> logAlphas, int multiple) {
        List<float[]> gates = new ArrayList<>(Collections.nCopies(units.size(), (float[]) null));
        List<float[]> logAlphaBySpecLayer = new ArrayList<>(Collections.nCopies(units.size(), (float[]) null));
        int k = 0;
        for (int i = 0; i < weighted.size(); i++) {
            if (weighted.get(i).gated()) {
                float[] la = logAlphas.get(k++);
                float[] z = new float[la.length];
                for (int g = 0; g < la.length; g++) {
                    z[g] = (float) gate.testTime(la[g]);
                }
                gates.set(weightedSpecIndex.get(i), z);
                logAlphaBySpecLayer.set(weightedSpecIndex.get(i), la);
            }
        }
        return UnitRounding.round(spec, gates, logAlphaBySpecLayer, multiple);
    }

    /**
     * {@link #snapshot()} with the kept groups of every gated layer rounded up to {@code multiple} (see
     * {@link UnitRounding}): padding with zero-weight groups changes the pruned network's shapes, not its function.
     */
    public List<LayerParameters> snapshot(int multiple) {
        List<LayerParameters> plain = snapshot();
        if (multiple <= 1) {
            return plain;
        }
        // the very gates the budget counts (the unrounded ones are the same test-time ẑ as plain's)
        List<float[]> rounded = testTimeGatesBySpecLayer(logAlphas(), multiple);
        List<LayerParameters> result = new ArrayList<>(plain.size());
        for (LayerParameters p : plain) {
            result.add(p.gates() == null ? p : new LayerParameters(p.specIndex(), p.weight(), p.bias(),
                    rounded.get(p.specIndex())));
        }
        return result;
    }

    /**
     * The current values of every weighted layer with their test-time gates, then of every batch normalization
     * (γ, β and running statistics), copied to the heap.
     */
    public List<LayerParameters> snapshot() {
        List<LayerParameters> result = new ArrayList<>();
        for (int i = 0; i < weighted.size(); i++) {
            AbstractGatedLayer layer = weighted.get(i);
            float[] gates = null;
            if (layer.gated()) {
                gates = layer.logAlpha().getArray().toFloatArray();
                for (int g = 0; g < gates.length; g++) {
                    gates[g] = (float) gate.testTime(gates[g]);
                }
            }
            result.add(new LayerParameters(weightedSpecIndex.get(i), layer.weight().getArray().toFloatArray(),
                    layer.bias().getArray().toFloatArray(), gates));
        }
        for (int i = 0; i < norms.size(); i++) {
            BatchNormLayer norm = norms.get(i);
            result.add(new LayerParameters(normSpecIndex.get(i), norm.gamma().getArray().toFloatArray(),
                    norm.beta().getArray().toFloatArray(), null, norm.runningMean().getArray().toFloatArray(),
                    norm.runningVar().getArray().toFloatArray()));
        }
        return result;
    }

    /** The log α parameter of every gated layer, in order (as {@link #logAlphas()} gives their values). */
    List<Parameter> logAlphaParameters() {
        List<Parameter> result = new ArrayList<>();
        for (AbstractGatedLayer layer : weighted) {
            if (layer.gated()) {
                result.add(layer.logAlpha());
            }
        }
        return result;
    }

    /** log α of every gated layer, in order, copied to the heap. */
    public List<float[]> logAlphas() {
        List<float[]> result = new ArrayList<>();
        for (AbstractGatedLayer layer : weighted) {
            if (layer.gated()) {
                result.add(layer.logAlpha().getArray().toFloatArray());
            }
        }
        return result;
    }
}
