package io.l0sparsify.spec;

/**
 * One layer of a model spec. The kinds are closed: the spec checks, the trainer, the pruner and the exporters
 * switch over them exhaustively and without a {@code default}, so adding a kind is a compile error everywhere
 * it must be handled.
 */
public sealed interface LayerSpec
        permits LayerSpec.Dense, LayerSpec.Conv2d, LayerSpec.MaxPool, LayerSpec.Relu, LayerSpec.Flatten,
                LayerSpec.Dropout {

    /** The type tag used in JSON and error messages. */
    String type();

    /** Fully connected layer; when gated, each INPUT unit has one hard-concrete gate. */
    record Dense(int units, boolean gated) implements LayerSpec {
        public Dense(int units) {
            this(units, true);
        }

        @Override
        public String type() {
            return "dense";
        }
    }

    /** 2-D convolution; when gated, each OUTPUT feature map (filter and its bias) has one gate. */
    record Conv2d(int filters, int kernel, int stride, int padding, boolean gated) implements LayerSpec {
        public Conv2d(int filters, int kernel) {
            this(filters, kernel, 1, 0, true);
        }

        @Override
        public String type() {
            return "conv2d";
        }
    }

    /** Max pooling over size×size windows. */
    record MaxPool(int size, int stride) implements LayerSpec {
        @Override
        public String type() {
            return "maxpool";
        }
    }

    record Relu() implements LayerSpec {
        @Override
        public String type() {
            return "relu";
        }
    }

    /** Flattens [C, H, W] (channel-major, as PyTorch and ONNX do) into a vector. */
    record Flatten() implements LayerSpec {
        @Override
        public String type() {
            return "flatten";
        }
    }

    /** Inverted dropout, active in training only; it never affects the pruned network. */
    record Dropout(double rate) implements LayerSpec {
        @Override
        public String type() {
            return "dropout";
        }
    }

    /** True for the layers that carry hard-concrete gates. */
    static boolean isGated(LayerSpec layer) {
        return switch (layer) {
            case Dense d -> d.gated();
            case Conv2d c -> c.gated();
            case MaxPool _, Relu _, Flatten _, Dropout _ -> false;
        };
    }
}
