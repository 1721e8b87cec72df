package io.l0sparsify.model;

import io.l0sparsify.export.GraphInterface;
import io.l0sparsify.prune.LayerParameters;
import io.l0sparsify.spec.LayerSpec;
import io.l0sparsify.spec.ModelSpec;
import io.l0sparsify.spec.NetworkWalk;
import io.l0sparsify.spec.SpecException;
import io.l0sparsify.spec.SpecLimits;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns an uploaded model's graph ({@link ModelGraph}) into the network the trainer builds: a chain of layers in
 * which every fork of the graph into two branches that an Add joins again becomes a residual block, its
 * shortcut the identity or a 1×1 convolution. The upload's weights become the starting point, with the upload's
 * own layout turned into the trainer's (a MatMul's {@code [inputs, units]} transposed, a missing bias zero).
 *
 * <p>Gates sit where {@link GateGroups} says a removal is exact: every dense layer's inputs, and the feature maps
 * of a convolution whose zero reaches every reader as zero. A convolution followed by batch normalization keeps
 * its gates after the normalization, as the spec does for {@code conv2d} then {@code batchnorm}.
 *
 * <p>What the spec cannot say is refused, naming the node: a convolution or pooling window that is not square, or
 * whose padding differs between sides, pooling in ceil mode; several outputs; a network that does not end in a
 * dense layer.
 */
public final class NetworkImport {

    private final ModelGraph graph;
    private final Map<String, Boolean> gateable = new HashMap<>();
    private final List<LayerParameters> parameters = new ArrayList<>();
    private final List<String> folded = new ArrayList<>();
    /** The next unit's flat index: units are numbered in the order {@link NetworkWalk} visits them. */
    private int flat;
    private GraphInterface.Output activation = GraphInterface.Output.LOGITS;

    private NetworkImport(ModelGraph graph) {
        this.graph = graph;
        for (GateGroup group : graph.gateGroups()) {
            gateable.put(group.layer(), group.gateable());
        }
    }

    /**
     * The network of {@code graph}, checked against {@code limits} as a spec a user wrote would be.
     *
     * @throws ModelImportException naming the node the trainer cannot take, or the limit the network exceeds
     */
    public static ImportedNetwork of(ModelGraph graph, SpecLimits limits) {
        return new NetworkImport(graph).convert(limits);
    }

    private ImportedNetwork convert(SpecLimits limits) {
        if (graph.outputNames().size() != 1) {
            throw new ModelImportException(null, "the model has " + graph.outputNames().size()
                    + " outputs " + graph.outputNames() + "; a classifier with one output (its logits or their"
                    + " softmax) can be fine-tuned");
        }
        String output = graph.outputNames().get(0);
        List<LayerSpec> layers = new ArrayList<>();
        Chain chain = new Chain(layers, graph.inputShape().size() == 1);
        follow(graph.inputName(), null, output, chain);
        if (layers.isEmpty() || !(layers.getLast() instanceof LayerSpec.Dense)) {
            throw new ModelImportException(null, "the model must end in a dense layer (Gemm, or MatMul then Add)"
                    + " that gives the class logits, optionally followed by Softmax or LogSoftmax");
        }
        ModelSpec spec;
        try {
            spec = ModelSpec.of(graph.inputShape(), layers, limits);
        } catch (SpecException e) {
            throw new ModelImportException(null, "as a network to train: " + e.getMessage());
        }
        checkNumbering(spec);
        List<Integer> logits = graph.outputShapes().get(0);
        if (logits.size() != 1 || logits.get(0) != spec.numClasses()) {
            throw new ModelImportException(null, "the output '" + output + "' has shape " + logits
                    + " but the network gives " + spec.numClasses() + " logits");
        }
        return new ImportedNetwork(spec, parameters, graph.inputName(), output, activation, folded, graph.parameters(),
                graph.flops());
    }

    /** What one chain of layers has built so far. */
    private static final class Chain {
        final List<LayerSpec> layers;
        /** Whether the chain's current value is a vector to the spec (after flatten or global pooling). */
        boolean vector;

        Chain(List<LayerSpec> layers, boolean vector) {
            this.layers = layers;
            this.vector = vector;
        }
    }

    /**
     * Converts the nodes from {@code value} (or from {@code first}, which reads it) up to the node that writes
     * {@code end}, appending to {@code chain}.
     */
    private void follow(String value, ModelNode first, String end, Chain chain) {
        String at = value;
        if (first != null) {
            at = unit(first, chain);
        }
        while (!at.equals(end)) {
            List<ModelNode> readers = graph.readersOf(at);
            if (readers.size() == 1 && !(readers.get(0) instanceof ModelNode.ResidualAdd)) {
                at = unit(readers.get(0), chain);
            } else if (readers.size() == 2) {
                at = residual(at, readers, chain);
            } else if (readers.isEmpty()) {
                throw new ModelImportException(null, "the value '" + at + "' leads to no node, so the output '"
                        + end + "' is not reached from it along one chain");
            } else {
                throw new ModelImportException(readers.get(0).name(), "the value '" + at + "' is read by "
                        + readers.size() + " nodes " + readers.stream().map(ModelNode::name).toList()
                        + "; only a fork into two branches that one Add joins (a residual block) can be trained");
            }
        }
    }

    /** A fork of {@code value} into two branches joined by an Add: a residual block. Returns the Add's output. */
    private String residual(String value, List<ModelNode> readers, Chain chain) {
        if (chain.vector) {
            throw new ModelImportException(readers.get(0).name(), "a residual block on a vector is not supported;"
                    + " residual blocks work on [C, H, W] feature maps");
        }
        ModelNode a = readers.get(0);
        ModelNode b = readers.get(1);
        ModelNode.ResidualAdd add;
        ModelNode bodyFirst;
        Projection projection = null;
        if (a instanceof ModelNode.ResidualAdd join && !(b instanceof ModelNode.ResidualAdd)) {
            add = join;
            bodyFirst = b;
        } else if (b instanceof ModelNode.ResidualAdd join && !(a instanceof ModelNode.ResidualAdd)) {
            add = join;
            bodyFirst = a;
        } else {
            Projection pa = projection(a);
            Projection pb = projection(b);
            if ((pa == null) == (pb == null)) {
                throw new ModelImportException(a.name(), "the value '" + value + "' forks into '" + a.name()
                        + "' and '" + b.name() + "', but not as a residual block: one branch must reach the Add"
                        + " directly (identity) or through one 1×1 convolution without padding, optionally"
                        + " with batch normalization (projection)");
            }
            projection = pa != null ? pa : pb;
            bodyFirst = pa != null ? b : a;
            add = projection.add();
        }
        String shortcutEnd = projection != null ? projection.end() : value;
        List<String> joined = add.inputs();
        if (joined.size() != 2 || !joined.contains(shortcutEnd) || joined.get(0).equals(joined.get(1))) {
            throw new ModelImportException(add.name(), "the Add does not join the residual block's two branches");
        }
        String bodyEnd = joined.get(0).equals(shortcutEnd) ? joined.get(1) : joined.get(0);
        List<LayerSpec> body = new ArrayList<>();
        follow(value, bodyFirst, bodyEnd, new Chain(body, false));
        LayerSpec.Shortcut shortcut;
        if (projection == null) {
            shortcut = new LayerSpec.Shortcut.Identity();
        } else {
            shortcut = new LayerSpec.Shortcut.Projection(projection.conv().strides().get(0));
            parameters.add(projection.parameters(flat++, folded));
        }
        chain.layers.add(new LayerSpec.Residual(body, shortcut));
        return add.output();
    }

    /** A 1×1 convolution (then perhaps batch normalization) whose result an Add reads: a projection shortcut. */
    private record Projection(ModelNode.Conv conv, ModelNode.BatchNorm norm, ModelNode.ResidualAdd add) {

        String end() {
            return norm != null ? norm.output() : conv.output();
        }

        /**
         * The convolution's weights with the normalization folded in (the spec's projection has a bias and no
         * normalization): exact for the running statistics, which is what the upload computes at inference.
         */
        LayerParameters parameters(int index, List<String> folded) {
            float[] w = conv.weight().values();
            float[] bias = conv.bias().map(Weights::values).orElseGet(() -> new float[conv.outChannels()]);
            if (norm != null) {
                folded.add(norm.name());
                int perFilter = w.length / conv.outChannels();
                for (int f = 0; f < conv.outChannels(); f++) {
                    double s = norm.scale().get(f) / Math.sqrt(norm.variance().get(f) + norm.epsilon());
                    for (int i = 0; i < perFilter; i++) {
                        w[f * perFilter + i] = (float) (w[f * perFilter + i] * s);
                    }
                    bias[f] = (float) ((bias[f] - norm.mean().get(f)) * s + norm.shift().get(f));
                }
            }
            return new LayerParameters(index, w, bias, null);
        }
    }

    private Projection projection(ModelNode node) {
        if (!(node instanceof ModelNode.Conv conv) || !conv.kernel().equals(List.of(1, 1))
                || conv.pads().stream().anyMatch(p -> p != 0) || !conv.strides().get(0).equals(conv.strides().get(1))) {
            return null;
        }
        String at = conv.output();
        List<ModelNode> next = graph.readersOf(at);
        ModelNode.BatchNorm norm = null;
        if (next.size() == 1 && next.get(0) instanceof ModelNode.BatchNorm bn) {
            norm = bn;
            next = graph.readersOf(bn.output());
        }
        return next.size() == 1 && next.get(0) instanceof ModelNode.ResidualAdd add
                ? new Projection(conv, norm, add) : null;
    }

    /** Appends the layer of one node; returns the value it writes. */
    private String unit(ModelNode node, Chain chain) {
        switch (node) {
            case ModelNode.Dense d -> {
                if (!chain.vector) {
                    throw new ModelImportException(d.name(), "a dense layer reads " + d.inputShape()
                            + "; flatten the feature maps first");
                }
                chain.layers.add(new LayerSpec.Dense(d.units(), gateable.getOrDefault(d.name(), false)));
                float[] weight = d.weight().values();
                if (!d.transposed()) {
                    weight = transpose(weight, d.inFeatures(), d.units());
                }
                float[] bias = d.bias().map(Weights::values).orElseGet(() -> new float[d.units()]);
                parameters.add(new LayerParameters(flat++, weight, bias, null));
            }
            case ModelNode.Conv c -> {
                requireMaps(c, chain);
                int kernel = square(c, c.kernel(), "kernel");
                int stride = square(c, c.strides(), "strides");
                int padding = evenPadding(c, c.pads());
                int dilation = square(c, c.dilations(), "dilations");
                chain.layers.add(new LayerSpec.Conv2d(c.outChannels(), kernel, stride, padding, dilation,
                        gateable.getOrDefault(c.name(), false)));
                float[] bias = c.bias().map(Weights::values).orElseGet(() -> new float[c.outChannels()]);
                parameters.add(new LayerParameters(flat++, c.weight().values(), bias, null));
            }
            case ModelNode.BatchNorm b -> {
                // ONNX holds epsilon as a float: 1e-5 arrives as 9.99999974e-6, which the spec would show as such
                double epsilon = Double.parseDouble(Float.toString((float) b.epsilon()));
                chain.layers.add(new LayerSpec.BatchNorm(epsilon, LayerSpec.BatchNorm.DEFAULT_MOMENTUM));
                parameters.add(new LayerParameters(flat++, b.scale().values(), b.shift().values(), null,
                        b.mean().values(), b.variance().values()));
            }
            case ModelNode.Relu r -> {
                chain.layers.add(new LayerSpec.Relu());
                flat++;
            }
            case ModelNode.MaxPool m -> {
                requireMaps(m, chain);
                int size = square(m, m.kernel(), "kernel_shape");
                int stride = square(m, m.strides(), "strides");
                int padding = evenPadding(m, m.pads());
                if (m.ceilMode() || m.dilations().stream().anyMatch(d -> d != 1)) {
                    throw new ModelImportException(m.name(), "max pooling with dilation or ceil_mode cannot be"
                            + " fine-tuned");
                }
                chain.layers.add(new LayerSpec.MaxPool(size, stride, padding));
                flat++;
            }
            case ModelNode.AveragePool a -> {
                requireMaps(a, chain);
                int size = square(a, a.kernel(), "kernel_shape");
                int stride = square(a, a.strides(), "strides");
                int padding = evenPadding(a, a.pads());
                if (a.ceilMode()) {
                    throw new ModelImportException(a.name(), "average pooling with ceil_mode cannot be fine-tuned");
                }
                chain.layers.add(new LayerSpec.AvgPool(size, stride, padding, a.countIncludePad()));
                flat++;
            }
            case ModelNode.GlobalAveragePool g -> {
                requireMaps(g, chain);
                chain.layers.add(new LayerSpec.GlobalAvgPool());
                chain.vector = true;
                flat++;
            }
            case ModelNode.Flatten f -> {
                // after global pooling the spec's value is a vector already: [C, 1, 1] flattens to itself
                if (!chain.vector) {
                    chain.layers.add(new LayerSpec.Flatten());
                    chain.vector = true;
                    flat++;
                }
            }
            case ModelNode.ResidualAdd r -> throw new ModelImportException(r.name(), "this Add does not close a"
                    + " residual block: its inputs do not fork from one value into two branches");
            case ModelNode.Softmax s -> {
                if (!graph.outputNames().contains(s.output())) {
                    throw new ModelImportException(s.name(), s.opType() + " is supported only at the output");
                }
                activation = s.log() ? GraphInterface.Output.LOG_SOFTMAX : GraphInterface.Output.SOFTMAX;
            }
        }
        return node.output();
    }

    private static void requireMaps(ModelNode node, Chain chain) {
        if (chain.vector) {
            throw new ModelImportException(node.name(), node.opType() + " after the feature maps became a vector"
                    + " (flatten or global pooling) is not supported");
        }
    }

    private static int square(ModelNode node, List<Integer> values, String attribute) {
        if (values.size() != 2 || !values.get(0).equals(values.get(1))) {
            throw new ModelImportException(node.name(), attribute + " " + values + " is not the same for height"
                    + " and width, which fine-tuning needs");
        }
        return values.get(0);
    }

    private static int evenPadding(ModelNode node, List<Integer> pads) {
        if (pads.stream().distinct().count() > 1) {
            throw new ModelImportException(node.name(), "pads " + pads + " differ between sides; fine-tuning"
                    + " needs the same padding on every side");
        }
        return pads.isEmpty() ? 0 : pads.get(0);
    }

    private static float[] transpose(float[] values, int rows, int columns) {
        float[] result = new float[values.length];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < columns; c++) {
                result[c * rows + r] = values[r * columns + c];
            }
        }
        return result;
    }

    /** The units were numbered as the spec's walk numbers them, and each value fits its layer. */
    private void checkNumbering(ModelSpec spec) {
        List<NetworkWalk.Step.Unit> units = spec.walk().units();
        if (units.size() != flat) {
            throw new IllegalStateException("numbered " + flat + " units but the spec walks " + units.size());
        }
        for (LayerParameters p : parameters) {
            LayerSpec.Unit layer = units.get(p.specIndex()).layer();
            boolean fits = switch (layer) {
                case LayerSpec.Dense _, LayerSpec.Conv2d _ -> p.runningMean() == null;
                case LayerSpec.BatchNorm _ -> p.runningMean() != null;
                case LayerSpec.MaxPool _, LayerSpec.AvgPool _, LayerSpec.Relu _, LayerSpec.Flatten _,
                        LayerSpec.Dropout _, LayerSpec.GlobalAvgPool _ -> false;
            };
            if (!fits) {
                throw new IllegalStateException("values numbered " + p.specIndex() + " do not belong to "
                        + units.get(p.specIndex()).path() + " (" + layer.type() + ")");
            }
        }
    }
}
