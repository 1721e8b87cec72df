package io.l0sparsify.worker;

import ai.djl.engine.Engine;
import java.lang.reflect.Method;

/**
 * PyTorch keeps its autograd switch per thread and starts every new thread with it ON; DJL switches it off
 * only on the thread that happens to load the engine. A worker thread must therefore switch it off itself
 * before training, or in-place parameter initialisation fails with "a leaf Variable that requires grad is
 * being used in an in-place operation" (DJL's GradientCollector turns it on and back off around each step).
 *
 * <p>DJL exposes the switch only in its PyTorch engine module, a runtime dependency, hence reflection.
 */
final class PyTorchThreads {

    private PyTorchThreads() {}

    static void disableAutogradOnThisThread() {
        Engine.getEngine("PyTorch"); // loads the native library first
        try {
            Class<?> jni = Class.forName("ai.djl.pytorch.jni.JniUtils");
            Method setGradMode = jni.getMethod("setGradMode", boolean.class);
            setGradMode.invoke(null, false);
        } catch (ReflectiveOperationException e) {
            throw new IllegalStateException("cannot reach PyTorch's autograd switch: " + e.getMessage(), e);
        }
    }
}
