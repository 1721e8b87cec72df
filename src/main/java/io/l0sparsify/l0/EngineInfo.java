package io.l0sparsify.l0;

import ai.djl.engine.Engine;

/**
 * Loads the PyTorch engine as configured by the environment ({@code PYTORCH_FLAVOR},
 * {@code PYTORCH_LIBRARY_PATH}, {@code DJL_CACHE_DIR}, ...) and prints what it found: the way to check a
 * machine or an image before it takes jobs, and to make DJL place a CUDA build of libtorch in its cache
 * at image build time. Run it from the service jar with
 * {@code java -Dloader.main=io.l0sparsify.l0.EngineInfo -cp l0-sparsify.jar
 * org.springframework.boot.loader.launch.PropertiesLauncher}.
 */
public final class EngineInfo {

    private EngineInfo() {}

    public static void main(String[] args) {
        Engine engine = Engine.getEngine("PyTorch");
        System.out.println("engine " + engine.getEngineName() + " " + engine.getVersion() + ", GPUs visible: "
                + engine.getGpuCount() + ", device for \"auto\": " + Devices.resolve("auto").get(0));
    }
}
