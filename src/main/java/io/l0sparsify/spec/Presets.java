package io.l0sparsify.spec;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The networks of the paper's experiments (Louizos et al., 2018): the MNIST networks of section 4.1 and the wide
 * residual networks of section 4.2.
 */
public final class Presets {

    /** The MLP 784-300-100-10 with gates on the inputs of every dense layer. */
    public static final ModelSpec MLP = ModelSpec.of(List.of(784), List.of(
            new LayerSpec.Dense(300), new LayerSpec.Relu(),
            new LayerSpec.Dense(100), new LayerSpec.Relu(),
            new LayerSpec.Dense(10)), SpecLimits.UNBOUNDED);

    /** LeNet-5-Caffe: conv 20@5×5, maxpool 2, conv 50@5×5, maxpool 2, dense 500, dense 10. */
    public static final ModelSpec LENET5_CAFFE = ModelSpec.of(List.of(1, 28, 28), List.of(
            new LayerSpec.Conv2d(20, 5), new LayerSpec.Relu(), new LayerSpec.MaxPool(2, 2),
            new LayerSpec.Conv2d(50, 5), new LayerSpec.Relu(), new LayerSpec.MaxPool(2, 2),
            new LayerSpec.Flatten(),
            new LayerSpec.Dense(500), new LayerSpec.Relu(),
            new LayerSpec.Dense(10)), SpecLimits.UNBOUNDED);

    /** WRN-28-10 for CIFAR-10 ([3, 32, 32], 10 classes), the paper's network (see {@link #wideResNet}). */
    public static final ModelSpec WRN_28_10 = wideResNet(28, 10, 10);

    /** WRN-16-4 for CIFAR-10: the same construction at a size that trains on a CPU. */
    public static final ModelSpec WRN_16_4 = wideResNet(16, 4, 10);

    private static final Map<String, ModelSpec> BY_NAME = new LinkedHashMap<>();

    static {
        BY_NAME.put("mlp", MLP);
        BY_NAME.put("lenet5-caffe", LENET5_CAFFE);
        BY_NAME.put("wrn-16-4", WRN_16_4);
        BY_NAME.put("wrn-28-10", WRN_28_10);
    }

    /**
     * The wide residual network WRN-depth-k as the paper's reference code builds it ({@code L0WideResNet}) for
     * [3, 32, 32] images: a 3×3 convolution to 16 maps, then three groups of N = (depth − 4)/6 pre-activation basic
     * blocks of widths 16k, 32k, 64k with strides 1, 2, 2, then batch normalization, ReLU, global average pooling
     * and a dense classifier. A block is BN → ReLU → conv 3×3 (stride 1, L0 gates on its output maps) → BN → ReLU →
     * conv 3×3 (the group's stride in the group's first block), plus the identity, or where the shape changes a 1×1
     * projection with that stride. Where the shape changes the reference applies the first BN → ReLU to the input
     * of both branches, so here it stands before the block. Only the inner maps are gated: not the first
     * convolution, the residual stream, the projections or the classifier. Unlike the reference, every convolution
     * has a bias (a batch normalization follows each one, so it changes nothing but the parameter count).
     */
    static ModelSpec wideResNet(int depth, int widen, int classes) {
        if ((depth - 4) % 6 != 0) {
            throw new IllegalArgumentException("a wide residual network needs depth 6N + 4, not " + depth);
        }
        int blocks = (depth - 4) / 6;
        List<LayerSpec> layers = new ArrayList<>();
        layers.add(new LayerSpec.Conv2d(16, 3, 1, 1, false));
        int channels = 16;
        int[] widths = {16 * widen, 32 * widen, 64 * widen};
        int[] strides = {1, 2, 2};
        for (int group = 0; group < 3; group++) {
            int width = widths[group];
            for (int b = 0; b < blocks; b++) {
                int stride = b == 0 ? strides[group] : 1;
                List<LayerSpec> inner = List.of(new LayerSpec.Conv2d(width, 3, 1, 1, true), new LayerSpec.BatchNorm(),
                        new LayerSpec.Relu(), new LayerSpec.Conv2d(width, 3, stride, 1, false));
                if (channels == width && stride == 1) {
                    List<LayerSpec> body = new ArrayList<>(List.of(new LayerSpec.BatchNorm(), new LayerSpec.Relu()));
                    body.addAll(inner);
                    layers.add(new LayerSpec.Residual(body, new LayerSpec.Shortcut.Identity()));
                } else {
                    layers.add(new LayerSpec.BatchNorm());
                    layers.add(new LayerSpec.Relu());
                    layers.add(new LayerSpec.Residual(inner, new LayerSpec.Shortcut.Projection(stride)));
                }
                channels = width;
            }
        }
        layers.add(new LayerSpec.BatchNorm());
        layers.add(new LayerSpec.Relu());
        layers.add(new LayerSpec.GlobalAvgPool());
        layers.add(new LayerSpec.Dense(classes, false));
        return ModelSpec.of(List.of(3, 32, 32), layers, SpecLimits.UNBOUNDED);
    }

    private Presets() {}

    public static Optional<ModelSpec> byName(String name) {
        return Optional.ofNullable(BY_NAME.get(name));
    }

    /** Preset names in a stable order. */
    public static Map<String, ModelSpec> all() {
        return java.util.Collections.unmodifiableMap(BY_NAME);
    }

    public static List<String> names() {
        return List.copyOf(BY_NAME.keySet());
    }
}
