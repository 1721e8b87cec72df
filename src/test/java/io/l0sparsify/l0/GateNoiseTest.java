package io.l0sparsify.l0;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class GateNoiseTest {

    @Test
    void aLayersStepNoiseRepeatsWithinAStepAndIsFreshAfterIt() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            GateNoise noise = new GateNoise(3);
            Object layerA = new Object();
            Object layerB = new Object();
            noise.startStep();
            float[] a = noise.perStep(layerA, manager, new Shape(50)).toFloatArray();
            float[] b = noise.perStep(layerB, manager, new Shape(50)).toFloatArray();
            assertThat(noise.perStep(layerA, manager, new Shape(50)).toFloatArray()).as("another slice").isEqualTo(a);
            assertThat(b).as("another layer").isNotEqualTo(a);
            noise.startStep();
            assertThat(noise.perStep(layerA, manager, new Shape(50)).toFloatArray()).as("the next step")
                    .isNotEqualTo(a);
            // a run restarted at the epoch draws the same again
            noise.startEpoch(0);
            noise.startStep();
            assertThat(noise.perStep(layerA, manager, new Shape(50)).toFloatArray()).isEqualTo(a);
        }
    }

    /**
     * From the second step on every layer's noise is drawn at once, in the order the layers asked in the first
     * step: the same numbers as drawing layer by layer, which a network with per-example gates keeps doing.
     */
    @Test
    void drawingEveryLayerAtOnceGivesTheNumbersOfDrawingLayerByLayer() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Object[] layers = {new Object(), new Object(), new Object()};
            int[] sizes = {7, 300, 20};
            GateNoise batched = new GateNoise(11);
            // the reference draws layer by layer: asking for per-example noise once turns batching off
            GateNoise layerByLayer = new GateNoise(11);
            layerByLayer.logistic(manager, new Shape(0)).close();
            for (int step = 0; step < 4; step++) {
                batched.startStep();
                layerByLayer.startStep();
                for (int k = 0; k < layers.length; k++) {
                    float[] expected = layerByLayer.perStep(layers[k], manager, new Shape(sizes[k])).toFloatArray();
                    assertThat(batched.perStep(layers[k], manager, new Shape(sizes[k])).toFloatArray())
                            .as("step %d, layer %d", step, k).isEqualTo(expected);
                    // another slice of the same minibatch
                    assertThat(batched.perStep(layers[k], manager, new Shape(sizes[k])).toFloatArray())
                            .isEqualTo(expected);
                }
            }
            // the same step asked again after its manager closed: the same values, copied again
            batched.startStep();
            float[] first;
            try (NDManager step = manager.newSubManager()) {
                first = batched.perStep(layers[1], step, new Shape(sizes[1])).toFloatArray();
            }
            assertThat(batched.perStep(layers[1], manager, new Shape(sizes[1])).toFloatArray()).isEqualTo(first);
            // a layer the first step did not see cannot be fitted into the order learnt there
            batched.startStep();
            assertThatThrownBy(() -> batched.perStep(new Object(), manager, new Shape(5)))
                    .isInstanceOf(IllegalStateException.class).hasMessageContaining("first step");
        }
    }
}
