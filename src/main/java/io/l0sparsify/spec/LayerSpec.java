package io.l0sparsify.spec;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Arrays;
import java.util.List;
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
        @JsonSubTypes.Type(value = LayerSpec.AvgPool.class, name = "avgpool"),
        @JsonSubTypes.Type(value = LayerSpec.Relu.class, name = "relu"),
        @JsonSubTypes.Type(value = LayerSpec.Flatten.class, name = "flatten"),
        @JsonSubTypes.Type(value = LayerSpec.Dropout.class, name = "dropout"),
        @JsonSubTypes.Type(value = LayerSpec.BatchNorm.class, name = "batchnorm"),
        @JsonSubTypes.Type(value = LayerSpec.GlobalAvgPool.class, name = "globalavgpool"),
        @JsonSubTypes.Type(value = LayerSpec.Residual.class, name = "residual")})
public sealed interface LayerSpec permits LayerSpec.Unit, LayerSpec.Residual {

    /**
     * A layer that is not made of other layers. The walks over a network ({@link NetworkWalk}) visit these and
     * mark where residual blocks begin and end, so code that handles one layer at a time switches over this type.
     */
    sealed interface Unit extends LayerSpec
            permits Dense, Conv2d, MaxPool, AvgPool, Relu, Flatten, Dropout, BatchNorm, GlobalAvgPool {}

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
    record Dense(int units, boolean gated) implements Unit {
        public Dense(int units) {
            this(units, true);
        }

        /** From JSON, where {@code gated} defaults to true. */
        @JsonCreator
        static Dense fromJson(@JsonProperty("units") int units, @JsonProperty("gated") Boolean gated) {
            return new Dense(units, gated == null || gated);
        }
    }

    /**
     * 2-D convolution; when gated, each OUTPUT feature map (filter and its bias) has one gate. The kernel's taps lie
     * {@code dilation} apart (PyTorch's and ONNX's dilation), so a map of extent n gives
     * {@code ⌊(n + 2·padding − dilation·(kernel − 1) − 1)/stride⌋ + 1}.
     */
    record Conv2d(int filters, int kernel, int stride, int padding,
            @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = IsOne.class) int dilation, boolean gated)
            implements Unit {
        public Conv2d(int filters, int kernel) {
            this(filters, kernel, 1, 0, 1, true);
        }

        public Conv2d(int filters, int kernel, int stride, int padding, boolean gated) {
            this(filters, kernel, stride, padding, 1, gated);
        }

        /**
         * From JSON, where {@code stride} defaults to 1, {@code padding} to 0, {@code dilation} to 1 and
         * {@code gated} to true.
         */
        @JsonCreator
        static Conv2d fromJson(@JsonProperty("filters") int filters, @JsonProperty("kernel") int kernel,
                @JsonProperty("stride") Integer stride, @JsonProperty("padding") Integer padding,
                @JsonProperty("dilation") Integer dilation, @JsonProperty("gated") Boolean gated) {
            return new Conv2d(filters, kernel, stride == null ? 1 : stride, padding == null ? 0 : padding,
                    dilation == null ? 1 : dilation, gated == null || gated);
        }
    }

    /**
     * Max pooling over size×size windows, as PyTorch's {@code max_pool2d} (floor mode): {@code padding} on each side
     * counts as −∞, so a window never takes a padded value unless it holds nothing else (which the spec check rules
     * out by keeping padding at most half the window, as PyTorch does).
     */
    record MaxPool(int size, int stride, @JsonInclude(JsonInclude.Include.NON_DEFAULT) int padding) implements Unit {
        public MaxPool(int size, int stride) {
            this(size, stride, 0);
        }

        /** From JSON, where {@code stride} defaults to the window size (windows that do not overlap), padding to 0. */
        @JsonCreator
        static MaxPool fromJson(@JsonProperty("size") int size, @JsonProperty("stride") Integer stride,
                @JsonProperty("padding") Integer padding) {
            return new MaxPool(size, stride == null ? size : stride, padding == null ? 0 : padding);
        }
    }

    /**
     * Average pooling over size×size windows, as PyTorch's {@code avg_pool2d(x, size, stride, padding,
     * ceil_mode=False, count_include_pad)}: {@code padding} zeros on each side; with {@code countIncludePad} every
     * window's sum is divided by size², without it by the number of its values that lie inside the map. It acts
     * on every channel alone, so the channels a gated convolution keeps pass through it.
     */
    record AvgPool(int size, int stride, int padding, boolean countIncludePad) implements Unit {
        public AvgPool(int size) {
            this(size, size, 0, true);
        }

        /**
         * From JSON, where {@code stride} defaults to the window size, {@code padding} to 0 and
         * {@code countIncludePad} to true (PyTorch's default).
         */
        @JsonCreator
        static AvgPool fromJson(@JsonProperty("size") int size, @JsonProperty("stride") Integer stride,
                @JsonProperty("padding") Integer padding, @JsonProperty("countIncludePad") Boolean countIncludePad) {
            return new AvgPool(size, stride == null ? size : stride, padding == null ? 0 : padding,
                    countIncludePad == null || countIncludePad);
        }
    }

    /**
     * Leaves a default dilation out of the written document, as a zero max-pooling padding is: a job's stored
     * definition is its canonical JSON, which stays what it was before these options existed.
     */
    final class IsOne {
        @Override
        public boolean equals(Object value) {
            return value instanceof Integer i && i == 1;
        }

        @Override
        public int hashCode() {
            return 1;
        }
    }

    record Relu() implements Unit {}

    /** Flattens [C, H, W] (channel-major, as PyTorch and ONNX do) into a vector. */
    record Flatten() implements Unit {}

    /** Inverted dropout, active in training only; it never affects the pruned network. */
    record Dropout(double rate) implements Unit {}

    /**
     * Batch normalization per channel of a {@code [C, H, W]} map or per feature of a {@code [F]} vector:
     * {@code y = γ·(x − μ)/√(σ² + eps) + β}. Training normalizes with the minibatch's mean and (biased) variance
     * and updates the running statistics as PyTorch does ({@code running ← (1 − momentum)·running +
     * momentum·batch}, the variance unbiased); evaluation, pruning and export use the running statistics.
     *
     * <p>When it directly follows a gated convolution, that convolution's gates act on this layer's output, so a
     * closed gate's zero reaches every reader (a shift β would otherwise survive the removal).
     */
    record BatchNorm(double eps, double momentum) implements Unit {
        public static final double DEFAULT_EPS = 1e-5;
        public static final double DEFAULT_MOMENTUM = 0.1;

        public BatchNorm() {
            this(DEFAULT_EPS, DEFAULT_MOMENTUM);
        }

        /** From JSON, where {@code eps} defaults to 1e-5 and {@code momentum} to 0.1 (PyTorch's defaults). */
        @JsonCreator
        static BatchNorm fromJson(@JsonProperty("eps") Double eps, @JsonProperty("momentum") Double momentum) {
            return new BatchNorm(eps == null ? DEFAULT_EPS : eps, momentum == null ? DEFAULT_MOMENTUM : momentum);
        }
    }

    /** The mean of every channel over its whole map: {@code [C, H, W] → [C]}. */
    record GlobalAvgPool() implements Unit {}

    /**
     * A residual block {@code y = body(x) + shortcut(x)}: the body's layers in order, and a shortcut that is the
     * identity or a 1×1 convolution (with a stride, no padding, never gated) to the body's output channels. The
     * block's input and output (the residual stream) carry no gates; gates inside the body act on its inner maps.
     * A post-activation block puts its final ReLU after the block, a pre-activation block begins its body with
     * batch normalization and ReLU.
     */
    record Residual(List<LayerSpec> body, Shortcut shortcut) implements LayerSpec {
        public Residual {
            body = body == null ? null : java.util.Collections.unmodifiableList(new java.util.ArrayList<>(body));
        }

        /** From JSON, where {@code shortcut} defaults to the identity. */
        @JsonCreator
        static Residual fromJson(@JsonProperty("body") List<LayerSpec> body,
                @JsonProperty("shortcut") Shortcut shortcut) {
            return new Residual(body, shortcut == null ? new Shortcut.Identity() : shortcut);
        }
    }

    /** How a residual block's input reaches its sum. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
    @JsonSubTypes({
            @JsonSubTypes.Type(value = Shortcut.Identity.class, name = "identity"),
            @JsonSubTypes.Type(value = Shortcut.Projection.class, name = "projection")})
    sealed interface Shortcut permits Shortcut.Identity, Shortcut.Projection {
        /** The input itself; the body must keep its shape. */
        record Identity() implements Shortcut {}

        /** A 1×1 convolution with a bias, no padding and this stride, to the body's output channels. */
        record Projection(int stride) implements Shortcut {
            /** From JSON, where {@code stride} defaults to 1. */
            @JsonCreator
            static Projection fromJson(@JsonProperty("stride") Integer stride) {
                return new Projection(stride == null ? 1 : stride);
            }
        }
    }

    /** True for the layers that carry hard-concrete gates. */
    static boolean isGated(LayerSpec layer) {
        return switch (layer) {
            case Dense d -> d.gated();
            case Conv2d c -> c.gated();
            case MaxPool _, AvgPool _, Relu _, Flatten _, Dropout _, BatchNorm _, GlobalAvgPool _, Residual _ -> false;
        };
    }
}
