package io.l0sparsify.l0;

import ai.djl.training.GradientCollector;
import java.lang.reflect.Method;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Two facts about DJL's PyTorch engine that a trainer running on arbitrary threads must respect.
 *
 * <ol>
 *   <li>PyTorch keeps its autograd switch per thread and starts every new thread with it ON; DJL switches
 *       it off only on the thread that loads the engine, and its GradientCollector restores "off" only if
 *       it found it off. On any other thread, in-place parameter updates then fail ("a leaf Variable that
 *       requires grad is being used in an in-place operation") and averaging builds an ever longer graph.
 *       {@link #disableOnThisThread()} switches it off; DJL exposes the switch only in its PyTorch module,
 *       a runtime dependency, hence reflection.</li>
 *   <li>DJL's PyTorch GradientCollector allows one collecting thread per process and throws if a second
 *       opens one. {@link #collect()} hands out the collector under a process-wide lock, so concurrent
 *       runs take turns step by step instead of failing.</li>
 *   <li>Nothing in DJL's training loop clears the gradients between steps: PyTorch's backward adds to them, and
 *       it is the engine's fused Adam update that zeroes its parameter's gradient when it is done. An update
 *       written with ordinary tensor operations must do the same ({@link #zeroGradient}), or every step would
 *       also apply the gradients of all earlier ones.</li>
 * </ol>
 */
final class Autograd {

    private static final ReentrantLock COLLECTING = new ReentrantLock(true);

    /** {@code JniUtils.zeroGrad(PtNDArray)}, what the engine's Adam update calls after updating a weight. */
    private static volatile Method zeroGrad;

    private Autograd() {}

    /** Sets the gradient of {@code weight} to zero, as the engine's fused Adam update does after its step. */
    static void zeroGradient(ai.djl.ndarray.NDArray weight) {
        try {
            Method method = zeroGrad;
            if (method == null) {
                Libtorch.engine();
                Class<?> jni = Class.forName("ai.djl.pytorch.jni.JniUtils");
                method = jni.getMethod("zeroGrad", Class.forName("ai.djl.pytorch.engine.PtNDArray"));
                zeroGrad = method;
            }
            method.invoke(null, weight);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot reach PyTorch's gradient reset: " + e.getMessage(), e);
        }
    }

    static void disableOnThisThread() {
        Libtorch.engine(); // loads the native library first
        try {
            Class<?> jni = Class.forName("ai.djl.pytorch.jni.JniUtils");
            Method setGradMode = jni.getMethod("setGradMode", boolean.class);
            setGradMode.invoke(null, false);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot reach PyTorch's autograd switch: " + e.getMessage(), e);
        }
    }

    /** A collector that holds the process-wide lock until it is closed. */
    static GradientCollector collect(ai.djl.training.Trainer trainer) {
        COLLECTING.lock();
        try {
            GradientCollector collector = trainer.newGradientCollector();
            return new GradientCollector() {
                @Override
                public void backward(ai.djl.ndarray.NDArray target) {
                    collector.backward(target);
                }

                @Override
                public void zeroGradients() {
                    collector.zeroGradients();
                }

                @Override
                public void close() {
                    try {
                        collector.close();
                    } finally {
                        COLLECTING.unlock();
                    }
                }
            };
        } catch (RuntimeException | Error e) {
            COLLECTING.unlock();
            throw e;
        }
    }
}
