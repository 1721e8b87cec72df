package io.l0sparsify.l0;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ResumableAdamTest {

    private static final int STEPS = 50;

    /** Bit for bit DJL's Adam, and a restored copy continues exactly where the saved one was. */
    @Test
    void updatesLikeDjlsAdamAndResumesExactly() {
        Autograd.disableOnThisThread();
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            float[] start = randoms(new Random(1), 300);
            float[][] gradients = new float[STEPS][];
            Random random = new Random(2);
            for (int i = 0; i < STEPS; i++) {
                gradients[i] = randoms(random, 300);
                gradients[i][i] = 0; // some exact zeros, as a closed gate gives
            }
            Optimizer djl = Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-3f)).build();
            NDArray reference = manager.create(start, new Shape(300));
            ResumableAdam ours = new ResumableAdam(1e-3f, false);
            Parameter parameter = Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT).build();
            parameter.setArray(manager.create(start, new Shape(300)));
            List<Parameter> parameters = List.of(parameter);
            ResumableAdam resumed = null;
            NDArray resumedWeight = manager.create(start, new Shape(300));
            for (int i = 0; i < STEPS; i++) {
                djl.update("w", reference, manager.create(gradients[i], new Shape(300)));
                ours.update(parameter.getId(), parameter.getArray(), manager.create(gradients[i], new Shape(300)));
                if (i == STEPS / 2) {
                    // a later attempt: fresh optimizer, parameters and moments from the checkpoint
                    resumed = new ResumableAdam(1e-3f, false);
                    NativeArrays.assign(resumedWeight, parameter.getArray().toFloatArray());
                    Parameter copy = Parameter.builder().setName("w").setType(Parameter.Type.WEIGHT).build();
                    copy.setArray(resumedWeight);
                    resumed.restore(List.of(copy), ours.state(parameters));
                    parameters = List.of(parameter, copy);
                } else if (resumed != null) {
                    Parameter copy = parameters.get(1);
                    resumed.update(copy.getId(), copy.getArray(), manager.create(gradients[i], new Shape(300)));
                }
            }
            assertThat(parameter.getArray().toFloatArray()).containsExactly(reference.toFloatArray());
            assertThat(resumedWeight.toFloatArray()).containsExactly(reference.toFloatArray());
            assertThat(ours.state(List.of(parameter)).steps()).isEqualTo(STEPS);
        }
    }

    private static float[] randoms(Random random, int size) {
        float[] values = new float[size];
        for (int i = 0; i < size; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }
}
