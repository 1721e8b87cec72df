package io.l0sparsify.testing;

import io.l0sparsify.dataset.Examples;
import io.l0sparsify.dataset.Preprocessing;

/** Network inputs for tests: examples preprocessed into one float array, as the trainer forms its batches. */
public final class Inputs {

    private Inputs() {}

    /** Every example of {@code examples}, preprocessed, one after another. */
    public static float[] of(Examples examples, Preprocessing preprocessing) {
        float[] inputs = new float[Math.multiplyExact(examples.size(), examples.shape().size())];
        examples.copyRangeInto(0, examples.size(), preprocessing, inputs);
        return inputs;
    }
}
