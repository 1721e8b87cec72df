package io.l0sparsify.dataset;

import java.util.List;

/**
 * The shape of one example as the network sees it: {@code [F]} features, or {@code [C, H, W]} an image with
 * C channels first (the layout of the network's input and of the exported ONNX model, whatever layout the
 * uploaded file had).
 */
public record InputShape(List<Integer> dims) {

    public InputShape {
        dims = List.copyOf(dims);
        if (dims.size() != 1 && dims.size() != 3) {
            throw new IllegalArgumentException("an example is [features] or [channels, height, width], not " + dims);
        }
        long size = 1;
        for (int d : dims) {
            if (d < 1) {
                throw new IllegalArgumentException("every dimension of an example must be positive: " + dims);
            }
            size *= d;
            if (size > Integer.MAX_VALUE) {
                throw new IllegalArgumentException("an example of shape " + dims + " is larger than one array");
            }
        }
    }

    public static InputShape features(int count) {
        return new InputShape(List.of(count));
    }

    public static InputShape image(int channels, int height, int width) {
        return new InputShape(List.of(channels, height, width));
    }

    public boolean isImage() {
        return dims.size() == 3;
    }

    /** Values per example. */
    public int size() {
        return dims.stream().mapToInt(Integer::intValue).reduce(1, Math::multiplyExact);
    }

    /**
     * The groups that statistics and standardisation are taken over: an image's channels, or each feature of a
     * feature vector (columns of a table have their own scales).
     */
    public int channels() {
        return dims.get(0);
    }

    /** Consecutive values per channel in the channel-first layout: H·W for an image, 1 for features. */
    public int valuesPerChannel() {
        return isImage() ? dims.get(1) * dims.get(2) : 1;
    }

    @Override
    public String toString() {
        return dims.toString();
    }
}
