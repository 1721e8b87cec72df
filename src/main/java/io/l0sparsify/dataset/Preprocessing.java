package io.l0sparsify.dataset;

import java.util.Arrays;
import java.util.List;

/**
 * How a stored value becomes the network's input: {@code x' = (x · scale − mean[c]) / std[c]} for the value's
 * channel c ({@link InputShape#channels()}). Recorded in weights.json and in model.onnx's metadata, so a user
 * feeding raw data to the exported model does exactly what training did.
 *
 * @param scale applied first: 1/255 for unsigned-byte images, 1 for floats
 * @param mean per channel, after scaling (all 0 without standardisation); a single value applies to every
 *     channel
 * @param std per channel, after scaling (all 1 without standardisation); each positive; one value per mean
 */
public record Preprocessing(double scale, List<Double> mean, List<Double> std) {

    public Preprocessing {
        mean = List.copyOf(mean);
        std = List.copyOf(std);
        if (mean.size() != std.size()) {
            throw new IllegalArgumentException(mean.size() + " means but " + std.size() + " standard deviations");
        }
        if (!(scale > 0) || Double.isInfinite(scale)) {
            throw new IllegalArgumentException("scale must be positive and finite: " + scale);
        }
        for (double s : std) {
            if (!(s > 0) || Double.isInfinite(s)) {
                throw new IllegalArgumentException("standard deviations must be positive and finite: " + std);
            }
        }
    }

    /** Scaling only: {@code x · scale}, for {@code channels} channels. */
    public static Preprocessing scaleOnly(double scale, int channels) {
        Double[] zeros = new Double[channels];
        Double[] ones = new Double[channels];
        Arrays.fill(zeros, 0.0);
        Arrays.fill(ones, 1.0);
        return new Preprocessing(scale, List.of(zeros), List.of(ones));
    }

    /** The default for stored values: unsigned bytes to [0, 1], floats as they are. */
    public static Preprocessing defaultFor(ExampleValues values, InputShape shape) {
        return scaleOnly(switch (values) {
            case ExampleValues.UnsignedBytes b -> 1.0 / 255.0;
            case ExampleValues.Floats f -> 1.0;
        }, shape.channels());
    }

    /** Whether this preprocessing can serve examples of {@code shape}: one mean per channel, or one for all. */
    public boolean fits(InputShape shape) {
        return mean.size() == 1 || mean.size() == shape.channels();
    }

    /**
     * The same preprocessing for {@code image} viewed as a flat vector of {@code C·H·W} features (channel, then
     * row, then column): one mean and standard deviation when every channel shares them, else one per feature.
     */
    public Preprocessing flattened(InputShape image) {
        if (!image.isImage() || isUniform()) {
            return isUniform() ? new Preprocessing(scale, mean.subList(0, 1), std.subList(0, 1)) : this;
        }
        int perChannel = image.valuesPerChannel();
        Double[] means = new Double[image.size()];
        Double[] stds = new Double[image.size()];
        for (int i = 0; i < means.length; i++) {
            means[i] = mean.get(i / perChannel);
            stds[i] = std.get(i / perChannel);
        }
        return new Preprocessing(scale, List.of(means), List.of(stds));
    }

    /**
     * The preprocessing of the features at {@code indices} of a feature vector, in that order: for a model fed
     * only the inputs a pruned network kept.
     */
    public Preprocessing select(int[] indices) {
        if (mean.size() == 1) {
            return this;
        }
        Double[] means = new Double[indices.length];
        Double[] stds = new Double[indices.length];
        for (int i = 0; i < indices.length; i++) {
            means[i] = mean.get(indices[i]);
            stds[i] = std.get(indices[i]);
        }
        return new Preprocessing(scale, List.of(means), List.of(stds));
    }

    private boolean isUniform() {
        return mean.stream().distinct().count() <= 1 && std.stream().distinct().count() <= 1;
    }

    public boolean standardises() {
        return mean.stream().anyMatch(m -> m != 0.0) || std.stream().anyMatch(s -> s != 1.0);
    }

    float apply(float value, int channel) {
        return apply(value, meanOf(channel), stdOf(channel));
    }

    /** The formula itself, for a channel's mean and standard deviation already looked up. */
    float apply(float value, double channelMean, double channelStd) {
        return (float) ((value * scale - channelMean) / channelStd);
    }

    double meanOf(int channel) {
        return mean.get(mean.size() == 1 ? 0 : channel);
    }

    double stdOf(int channel) {
        return std.get(std.size() == 1 ? 0 : channel);
    }

    /** A sentence for humans and metadata, e.g. "x · 0.00392157, then (x − mean[c]) / std[c] per channel". */
    public String describe() {
        String scaling = "x · " + (float) scale;
        return standardises() ? scaling + ", then (x − mean[c]) / std[c] per channel c (channel-first input)"
                : scaling + " (channel-first input)";
    }
}
