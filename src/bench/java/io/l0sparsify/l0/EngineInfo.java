package io.l0sparsify.l0;

import ai.djl.engine.Engine;

/**
 * Loads the PyTorch engine as configured by the environment ({@code PYTORCH_FLAVOR},
 * {@code PYTORCH_LIBRARY_PATH}, {@code DJL_CACHE_DIR}, ...) and prints what it found: the way to check a
 * machine or an image before it takes jobs, and to make DJL place a CUDA build of libtorch in its cache
 * at image build time. A tool, not part of the service: it lives in the bench source set and runs with
 * {@code scripts/run-main io.l0sparsify.l0.EngineInfo} (the Dockerfile's GPU stage puts its class beside
 * the service jar for one step).
 */
public final class EngineInfo {

    private EngineInfo() {}

    public static void main(String[] args) {
        Engine engine = Engine.getEngine("PyTorch");
        System.out.println("engine " + engine.getEngineName() + " " + engine.getVersion() + ", GPUs visible: "
                + engine.getGpuCount() + ", device for \"auto\": " + Devices.resolve("auto").get(0));
    }
}
