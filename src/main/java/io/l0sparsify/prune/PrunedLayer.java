package io.l0sparsify.prune;

import java.util.List;

/**
 * One layer of a {@link PrunedNetwork}. Weights are row-major float arrays in PyTorch/ONNX layout, with the
 * test-time gates already multiplied in, so the layer is an ordinary dense or convolutional layer.
 */
public sealed interface PrunedLayer
        permits PrunedLayer.Dense, PrunedLayer.Conv2d, PrunedLayer.MaxPool, PrunedLayer.AvgPool, PrunedLayer.Relu,
                PrunedLayer.Flatten, PrunedLayer.BatchNorm, PrunedLayer.GlobalAvgPool, PrunedLayer.Residual {

    String name();

    /** The kind's tag in weights.json and result.json, declared here once. */
    default String type() {
        return switch (this) {
            case Dense _ -> "dense";
            case Conv2d _ -> "conv2d";
            case MaxPool _ -> "maxpool";
            case AvgPool _ -> "avgpool";
            case Relu _ -> "relu";
            case Flatten _ -> "flatten";
            case BatchNorm _ -> "batchnorm";
            case GlobalAvgPool _ -> "globalavgpool";
            case Residual _ -> "residual";
        };
    }

    /**
     * A fully connected layer {@code y = W·x[gather] + b}.
     *
     * @param name stable layer name ("dense0", ...)
     * @param gated whether the original layer carried gates
     * @param originalInputs inputs of the unpruned layer
     * @param originalUnits outputs of the unpruned layer
     * @param keptInputs indices into the unpruned layer's inputs of the inputs that remain
     * @param keptUnits indices into the unpruned layer's outputs of the outputs that remain
     * @param gather indices into the vector this layer receives in the pruned network, selecting its
     *     {@code keptInputs.length} inputs; null when it receives exactly those inputs in order
     * @param weight {@code [keptUnits.length, keptInputs.length]}
     * @param bias {@code [keptUnits.length]}
     */
    record Dense(String name, boolean gated, int originalInputs, int originalUnits, int[] keptInputs,
            int[] keptUnits, int[] gather, float[] weight, float[] bias) implements PrunedLayer {

        public int inputs() {
            return keptInputs.length;
        }

        public int units() {
            return keptUnits.length;
        }

        /** Weights and biases of the unpruned layer. */
        public long originalParameterCount() {
            return (long) originalInputs * originalUnits + originalUnits;
        }

        /** Weights and biases that remain. */
        public long parameterCount() {
            return weight.length + bias.length;
        }
    }

    /**
     * A 2-D convolution over the kept input channels, square kernel with its taps {@code dilation} apart, one group.
     *
     * @param keptFilters indices into the unpruned layer's filters of the filters that remain
     * @param keptInChannels indices into the unpruned layer's input channels that remain (these are exactly
     *     the channels the previous layer still produces, in order)
     * @param weight {@code [keptFilters.length, keptInChannels.length, kernel, kernel]}
     * @param bias {@code [keptFilters.length]}
     */
    record Conv2d(String name, boolean gated, int originalFilters, int originalInChannels, int[] keptFilters,
            int[] keptInChannels, int kernel, int stride, int padding, int dilation, float[] weight, float[] bias)
            implements PrunedLayer {

        /** A convolution without dilation. */
        public Conv2d(String name, boolean gated, int originalFilters, int originalInChannels, int[] keptFilters,
                int[] keptInChannels, int kernel, int stride, int padding, float[] weight, float[] bias) {
            this(name, gated, originalFilters, originalInChannels, keptFilters, keptInChannels, kernel, stride,
                    padding, 1, weight, bias);
        }

        /** The output extent for an input extent {@code n}: {@code ⌊(n + 2p − d(k − 1) − 1)/s⌋ + 1}. */
        public int outExtent(int n) {
            return (n + 2 * padding - dilation * (kernel - 1) - 1) / stride + 1;
        }

        public int filters() {
            return keptFilters.length;
        }

        public int inChannels() {
            return keptInChannels.length;
        }

        /** Weights and biases of the unpruned layer. */
        public long originalParameterCount() {
            return (long) originalFilters * originalInChannels * kernel * kernel + originalFilters;
        }

        /** Weights and biases that remain. */
        public long parameterCount() {
            return weight.length + bias.length;
        }
    }

    /** Max over size×size windows moved by {@code stride}; {@code padding} on each side counts as −∞. */
    record MaxPool(String name, int size, int stride, int padding) implements PrunedLayer {
        public MaxPool(String name, int size, int stride) {
            this(name, size, stride, 0);
        }

        /** The output extent for an input extent {@code n} (floor mode). */
        public int outExtent(int n) {
            return (n + 2 * padding - size) / stride + 1;
        }
    }

    /**
     * Mean over size×size windows moved by {@code stride}, with {@code padding} zeros on each side; the divisor is
     * size² with {@code countIncludePad}, else the number of the window's values inside the map (PyTorch's
     * {@code avg_pool2d}, floor mode).
     */
    record AvgPool(String name, int size, int stride, int padding, boolean countIncludePad) implements PrunedLayer {
        /** The output extent for an input extent {@code n} (floor mode). */
        public int outExtent(int n) {
            return (n + 2 * padding - size) / stride + 1;
        }
    }

    record Relu(String name) implements PrunedLayer {}

    record Flatten(String name) implements PrunedLayer {}

    /**
     * Batch normalization at test time over the kept channels (axis 1):
     * {@code y = γ·(x − mean)/√(var + eps) + β}. When the original layer applied a gated convolution's gates, their
     * test-time values ẑ are folded into γ and β (ẑ·BN(x) is again a batch normalization), as the gates of an
     * ungated-BN convolution are folded into its filters.
     *
     * @param originalChannels channels of the unpruned layer
     * @param keptChannels indices into the unpruned layer's channels of those that remain
     */
    record BatchNorm(String name, int originalChannels, int[] keptChannels, float[] gamma, float[] beta,
            float[] runningMean, float[] runningVar, float eps) implements PrunedLayer {

        public int channels() {
            return keptChannels.length;
        }

        /** γ and β; the running statistics are not trained parameters. */
        public long parameterCount() {
            return 2L * channels();
        }

        /** The per-channel factor γ/√(var + eps) of the equivalent affine map {@code y = x·scale + shift}. */
        public float[] scale() {
            float[] scale = new float[channels()];
            for (int c = 0; c < scale.length; c++) {
                scale[c] = (float) (gamma[c] / Math.sqrt((double) runningVar[c] + eps));
            }
            return scale;
        }

        /** The per-channel offset β − mean·γ/√(var + eps) of the equivalent affine map. */
        public float[] shift() {
            float[] scale = scale();
            float[] shift = new float[channels()];
            for (int c = 0; c < shift.length; c++) {
                shift[c] = (float) (beta[c] - (double) runningMean[c] * scale[c]);
            }
            return shift;
        }
    }

    /** The mean of every channel over its map: {@code [C, H, W] → [C]}. */
    record GlobalAvgPool(String name) implements PrunedLayer {}

    /**
     * {@code y = body(x) + shortcut(x)}, the shortcut being {@code projection} (a 1×1 convolution) or, when that is
     * null, the identity. The residual stream is never pruned: the block receives and gives every channel.
     */
    record Residual(String name, List<PrunedLayer> body, Conv2d projection) implements PrunedLayer {
        public Residual {
            body = List.copyOf(body);
        }
    }
}
