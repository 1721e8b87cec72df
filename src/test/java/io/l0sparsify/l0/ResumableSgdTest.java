package io.l0sparsify.l0;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Parameter;
import java.util.List;
import org.junit.jupiter.api.Test;

/** SGD's update against a hand computation, and a restored copy continuing exactly. */
class ResumableSgdTest {

    private static final float[] START = {1.0f, -2.0f};
    private static final float[][] GRADIENTS = {{0.5f, -1.0f}, {0.25f, 0.5f}, {-1.0f, 0.0f}};

    @Test
    void nesterovMomentumStepsAsPyTorchComputesThem() {
        // η = 0.1, μ = 0.9; v ← μ·v + g; θ ← θ − η·(g + μ·v)
        // step 1: v = (0.5, −1);          θ = (1, −2) − 0.1·(0.5 + 0.45, −1 − 0.9)        = (0.905, −1.81)
        // step 2: v = (0.7, −0.4);        θ = (0.905, −1.81) − 0.1·(0.25 + 0.63, 0.5 − 0.36) = (0.817, −1.824)
        // step 3: v = (−0.37, −0.36);     θ = (0.817, −1.824) − 0.1·(−1 − 0.333, 0 − 0.324)  = (0.9503, −1.7916)
        float[] after = run(new ResumableSgd(0.1f, 0.9f, true));
        assertThat(after[0]).isCloseTo(0.9503f, within(1e-6f));
        assertThat(after[1]).isCloseTo(-1.7916f, within(1e-6f));
    }

    @Test
    void plainMomentumStepsAlongTheVelocity() {
        // θ ← θ − η·v: v = (0.5, −1), (0.7, −0.4), (−0.37, −0.36)
        // θ = (1, −2) − 0.1·(0.5 + 0.7 − 0.37, −1 − 0.4 − 0.36) = (0.917, −1.824)
        float[] after = run(new ResumableSgd(0.1f, 0.9f, false));
        assertThat(after[0]).isCloseTo(0.917f, within(1e-6f));
        assertThat(after[1]).isCloseTo(-1.824f, within(1e-6f));
    }

    @Test
    void withoutMomentumItIsPlainGradientDescent() {
        // θ = (1, −2) − 0.1·(0.5 + 0.25 − 1, −1 + 0.5 + 0) = (1.025, −1.95)
        float[] after = run(new ResumableSgd(0.1f, 0f, false));
        assertThat(after[0]).isCloseTo(1.025f, within(1e-6f));
        assertThat(after[1]).isCloseTo(-1.95f, within(1e-6f));
    }

    @Test
    void theLearningRateSetBetweenStepsAppliesToTheNextStep() {
        // step 1 at η = 0.1, then η = 0.02 (a schedule's milestone), plain gradient descent
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Parameter w = parameter(manager, "w");
            ResumableSgd sgd = new ResumableSgd(0.1f, 0f, false);
            sgd.update(w.getId(), w.getArray(), manager.create(GRADIENTS[0]));
            sgd.setLearningRate(0.02f);
            sgd.update(w.getId(), w.getArray(), manager.create(GRADIENTS[1]));
            // (1 − 0.05 − 0.005, −2 + 0.1 − 0.01)
            assertThat(w.getArray().toFloatArray()).containsExactly(new float[] {0.945f, -1.91f}, within(1e-6f));
        }
    }

    @Test
    void anUpdateClearsTheWeightsGradientForTheNextBackward() {
        Autograd.disableOnThisThread();
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            ai.djl.ndarray.NDArray w = manager.create(START);
            w.setRequiresGradient(true);
            try (ai.djl.training.GradientCollector collector = manager.getEngine().newGradientCollector()) {
                collector.backward(w.mul(3).sum()); // ∂(3·Σw)/∂w = 3
            }
            assertThat(w.getGradient().toFloatArray()).containsExactly(3f, 3f);
            new ResumableSgd(0.1f, 0.9f, false).update("w", w, w.getGradient().duplicate());
            // θ = (1, −2) − 0.1·3, and PyTorch's backward would add the next gradient to a cleared one
            assertThat(w.toFloatArray()).containsExactly(new float[] {0.7f, -2.3f}, within(1e-6f));
            assertThat(w.getGradient().toFloatArray()).containsExactly(0f, 0f);
        }
    }

    @Test
    void aRestoredCopyContinuesBitForBit() {
        Autograd.disableOnThisThread();
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Parameter whole = parameter(manager, "w");
            ResumableSgd uninterrupted = new ResumableSgd(0.1f, 0.9f, true);
            Parameter resumedWeight = parameter(manager, "w");
            ResumableSgd first = new ResumableSgd(0.1f, 0.9f, true);
            for (int i = 0; i < GRADIENTS.length; i++) {
                uninterrupted.update(whole.getId(), whole.getArray(), manager.create(GRADIENTS[i]));
            }
            first.update(resumedWeight.getId(), resumedWeight.getArray(), manager.create(GRADIENTS[0]));
            TrainingCheckpoint.SgdMomentum saved = first.state(List.of(resumedWeight));
            assertThat(saved.steps()).isEqualTo(1);
            assertThat(saved.buffers()).singleElement().satisfies(v -> assertThat(v).containsExactly(0.5f, -1f));
            // a later attempt: a fresh optimizer and parameter object, the state from the checkpoint
            Parameter later = parameter(manager, "w");
            NativeArrays.assign(later.getArray(), resumedWeight.getArray().toFloatArray());
            ResumableSgd second = new ResumableSgd(0.1f, 0.9f, true);
            second.restore(List.of(later), saved);
            for (int i = 1; i < GRADIENTS.length; i++) {
                second.update(later.getId(), later.getArray(), manager.create(GRADIENTS[i]));
            }
            assertThat(later.getArray().toFloatArray()).containsExactly(whole.getArray().toFloatArray());
            assertThat(second.state(List.of(later)).steps()).isEqualTo(3);
        }
    }

    @Test
    void anotherOptimizersStateIsRefused() {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Parameter w = parameter(manager, "w");
            var adamState = new TrainingCheckpoint.AdamMoments(List.of(new float[2]), List.of(new float[2]), 3);
            assertThatThrownBy(() -> new ResumableSgd(0.1f, 0.9f, true).restore(List.of(w), adamState))
                    .hasMessageContaining("Adam's moments but the run uses SGD");
            // an empty state of either kind means "before the first step"
            new ResumableSgd(0.1f, 0.9f, true).restore(List.of(w), TrainingCheckpoint.AdamMoments.NONE);
            assertThatThrownBy(() -> new ResumableAdam(0.1f, false).restore(List.of(w),
                    new TrainingCheckpoint.SgdMomentum(List.of(new float[2]), 1)))
                    .hasMessageContaining("SGD's momentum but the run uses Adam");
        }
    }

    private static float[] run(ResumableSgd sgd) {
        try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
            Parameter w = parameter(manager, "w");
            for (float[] g : GRADIENTS) {
                sgd.update(w.getId(), w.getArray(), manager.create(g));
            }
            return w.getArray().toFloatArray();
        }
    }

    private static Parameter parameter(NDManager manager, String name) {
        Parameter p = Parameter.builder().setName(name).setType(Parameter.Type.WEIGHT).build();
        p.setArray(manager.create(START, new Shape(2)));
        return p;
    }
}
