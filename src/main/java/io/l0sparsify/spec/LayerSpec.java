package io.l0sparsify.spec;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One layer of a model spec. The kinds are closed: the spec checks, the trainer, the pruner and the exporters
 * switch over them exhaustively and without a {@code default}, so adding a kind is a compile error everywhere
 * it must be handled.
 *
 * <p>In JSON a layer is an object whose {@code type} names its kind; the tags are declared here, once.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
@JsonSubTypes({
        @JsonSubTypes.Type(value = LayerSpec.Dense.class, name = "dense"),
        @JsonSubTypes.Type(value = LayerSpec.Conv2d.class, name = "conv2d"),
        @JsonSubTypes.Type(value = LayerSpec.MaxPool.class, name = "maxpool"),
        @JsonSubTypes.Type(value = LayerSpec.Relu.class, name = "relu"),
        @JsonSubTypes.Type(value = LayerSpec.Flatten.class, name = "flatten"),
        @JsonSubTypes.Type(value = LayerSpec.Dropout.class, name = "dropout")})
public sealed interface LayerSpec
        permits LayerSpec.Dense, LayerSpec.Conv2d, LayerSpec.MaxPool, LayerSpec.Relu, LayerSpec.Flatten,
                LayerSpec.Dropout {

    /** The type tag used in JSON and error messages: the name declared for this kind in {@link JsonSubTypes}. */
    default String type() {
        return TypeTags.BY_KIND.get(getClass());
    }

    /** The tags of {@link JsonSubTypes} by kind, read once. */
    final class TypeTags {
        private static final Map<Class<?>, String> BY_KIND = Arrays.stream(
                        LayerSpec.class.getAnnotation(JsonSubTypes.class).value())
                .collect(Collectors.toUnmodifiableMap(JsonSubTypes.Type::value, JsonSubTypes.Type::name));

        private TypeTags() {}
    }

    /** Fully connected layer; when gated, each INPUT unit has one hard-concrete gate. */
    record Dense(int units, boolean gated) implements LayerSpec {
        public Dense(int units) {
            this(units, true);
        }

        /** From JSON, where {@code gated} defaults to true. */
        @JsonCreator
        static Dense fromJson(@JsonProperty("units") int units, @JsonProperty("gated") Boolean gated) {
            return new Dense(units, gated == null || gated);
        }
    }

    /** 2-D convolution; when gated, each OUTPUT feature map (filter and its bias) has one gate. */
    record Conv2d(int filters, int kernel, int stride, int padding, boolean gated) implements LayerSpec {
        public Conv2d(int filters, int kernel) {
            this(filters, kernel, 1, 0, true);
        }

        /** From JSON, where {@code stride} defaults to 1, {@code padding} to 0 and {@code gated} to true. */
        @JsonCreator
        static Conv2d fromJson(@JsonProperty("filters") int filters, @JsonProperty("kernel") int kernel,
                @JsonProperty("stride") Integer stride, @JsonProperty("padding") Integer padding,
                @JsonProperty("gated") Boolean gated) {
            return new Conv2d(filters, kernel, stride == null ? 1 : stride, padding == null ? 0 : padding,
                    gated == null || gated);
        }
    }

    /** Max pooling over size×size windows. */
    record MaxPool(int size, int stride) implements LayerSpec {
        /** From JSON, where {@code stride} defaults to the window size (windows that do not overlap). */
        @JsonCreator
        static MaxPool fromJson(@JsonProperty("size") int size, @JsonProperty("stride") Integer stride) {
            return new MaxPool(size, stride == null ? size : stride);
        }
    }

    record Relu() implements LayerSpec {}

    /** Flattens [C, H, W] (channel-major, as PyTorch and ONNX do) into a vector. */
    record Flatten() implements LayerSpec {}

    /** Inverted dropout, active in training only; it never affects the pruned network. */
    record Dropout(double rate) implements LayerSpec {}

    /** True for the layers that carry hard-concrete gates. */
    static boolean isGated(LayerSpec layer) {
        return switch (layer) {
            case Dense d -> d.gated();
            case Conv2d c -> c.gated();
            case MaxPool _, Relu _, Flatten _, Dropout _ -> false;
        };
    }
}
