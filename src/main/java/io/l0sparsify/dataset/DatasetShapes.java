package io.l0sparsify.dataset;

import java.util.List;

/**
 * Whether a network's input shape takes a dataset's examples: the same shape, or {@code [F]} for an image of F
 * values, which a network of dense layers takes flattened in its channel-first order (as the MLP presets take
 * MNIST's 28 × 28 images as 784 features). The one rule the submit-time check and the worker's share.
 */
public final class DatasetShapes {

    private DatasetShapes() {}

    public static boolean fits(List<Integer> modelInputShape, InputShape data) {
        return modelInputShape.equals(data.dims())
                || modelInputShape.size() == 1 && data.isImage() && modelInputShape.get(0) == data.size();
    }

    /** The input shapes that would fit, for a refusal's message. */
    public static String hint(InputShape data) {
        return data.isImage() ? " (use inputShape " + data + ", or [" + data.size() + "] for a dense network)"
                : " (use inputShape " + data + ")";
    }
}
