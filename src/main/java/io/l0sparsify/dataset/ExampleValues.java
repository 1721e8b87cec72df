package io.l0sparsify.dataset;

/**
 * The stored values of a set of examples, row-major, channel-first, one example after another. Images stay
 * unsigned bytes (a quarter of the memory of floats) until a minibatch is formed; features are floats.
 */
public sealed interface ExampleValues permits ExampleValues.UnsignedBytes, ExampleValues.Floats {

    /** Values held. */
    long length();

    /** Values 0–255 as Java bytes (read with {@code & 0xFF}). */
    record UnsignedBytes(byte[] values) implements ExampleValues {
        @Override
        public long length() {
            return values.length;
        }
    }

    /** Finite float values. */
    record Floats(float[] values) implements ExampleValues {
        @Override
        public long length() {
            return values.length;
        }
    }

    /** The stored type's name, as in numpy ({@code uint8}, {@code float32}). */
    default String dtype() {
        return switch (this) {
            case UnsignedBytes b -> "uint8";
            case Floats f -> "float32";
        };
    }
}
