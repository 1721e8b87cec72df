package io.l0sparsify.spec;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The networks of the paper's MNIST experiments (Louizos et al., 2018, section 4.1). */
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

    private static final Map<String, ModelSpec> BY_NAME = new LinkedHashMap<>();

    static {
        BY_NAME.put("mlp", MLP);
        BY_NAME.put("lenet5-caffe", LENET5_CAFFE);
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
