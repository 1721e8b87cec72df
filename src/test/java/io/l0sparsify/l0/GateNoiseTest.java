package io.l0sparsify.l0;

import static org.assertj.core.api.Assertions.assertThat;

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
}
