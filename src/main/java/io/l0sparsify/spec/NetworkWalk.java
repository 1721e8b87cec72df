package io.l0sparsify.spec;

import java.util.List;

/**
 * A spec's layers in forward order with residual blocks opened up: every {@link LayerSpec.Unit} once (a block's
 * body in order, then its projection shortcut), with a {@link Step.BlockStart} before a block's body and a
 * {@link Step.BlockEnd} where its body and shortcut are added. Each unit has a flat index (its position among the
 * units), which names it wherever per-layer values travel (parameters, gates); for a spec without residual blocks
 * the flat index is the index in {@link ModelSpec#layers()}.
 *
 * <p>A projection shortcut is a unit with its own flat index (after its block's body) but appears in
 * {@link #steps()} only inside its {@link Step.BlockEnd}: it reads the block's input, not what precedes it.
 *
 * <p>The residual stream (what enters and leaves a block) is never gated, so every channel of it is always kept:
 * walks over the steps start a block's body and continue after a block with every channel present.
 *
 * @param steps the steps in forward order
 * @param units the {@link Step.Unit} steps alone, by flat index
 */
public record NetworkWalk(List<Step> steps, List<Step.Unit> units) {

    public NetworkWalk {
        steps = List.copyOf(steps);
        units = List.copyOf(units);
    }

    /** One step of the walk. Shapes are without the batch dimension. */
    public sealed interface Step permits Step.Unit, Step.BlockStart, Step.BlockEnd {

        /**
         * One unit layer.
         *
         * @param index the flat index
         * @param path where the layer is in the spec, e.g. {@code layers[3].body[2]} or {@code layers[3].shortcut}
         * @param layer the layer (a block's projection appears as an ungated 1×1 {@link LayerSpec.Conv2d})
         * @param inShape the shape it receives
         * @param outShape the shape it gives
         * @param gateDeferred for a gated convolution: its gates act after the batch normalization that follows it
         *     (the next unit), not on its own output
         * @param gateOf for a batch normalization: the flat index of the convolution whose gates act on its
         *     output, or −1
         */
        record Unit(int index, String path, LayerSpec.Unit layer, int[] inShape, int[] outShape,
                boolean gateDeferred, int gateOf) implements Step {

            /** Whether the unit lies in a residual block's body (its projection does not). */
            public boolean inBody() {
                return path.contains(".body[");
            }
        }

        /** A residual block begins; its body's first unit receives {@code shape}, as does the shortcut. */
        record BlockStart(String path, LayerSpec.Residual block, int[] shape) implements Step {}

        /**
         * A residual block's body output and shortcut are added.
         *
         * @param projection the shortcut's 1×1 convolution, which reads the block's input {@code inShape}, or null
         *     for the identity
         * @param outShape the shape of the sum
         */
        record BlockEnd(String path, LayerSpec.Residual block, Unit projection, int[] inShape, int[] outShape)
                implements Step {}
    }
}
