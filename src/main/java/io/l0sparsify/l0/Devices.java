package io.l0sparsify.l0;

import ai.djl.Device;
import ai.djl.engine.Engine;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Turns the user's device word into a DJL {@link Device}; the one place that decides where training runs. */
public final class Devices {

    private static final Pattern GPU_N = Pattern.compile("gpu:(\\d{1,3})");

    private Devices() {}

    /** Checks the syntax only ("auto", "cpu", "gpu", "gpu:N"); needs no engine. */
    public static void parse(String device) {
        if (device == null || !(device.equals("auto") || device.equals("cpu") || device.equals("gpu")
                || GPU_N.matcher(device).matches())) {
            throw new IllegalArgumentException("device: must be auto, cpu, gpu or gpu:N but is " + device);
        }
    }

    /**
     * Resolves against the GPUs the engine sees: auto picks GPU 0 when there is one, else the CPU;
     * an explicit GPU that is not there is an error rather than a silent fall-back.
     */
    public static Device resolve(String device) {
        return resolve(device, Engine.getEngine("PyTorch").getGpuCount());
    }

    static Device resolve(String device, int gpuCount) {
        parse(device);
        if (device.equals("cpu")) {
            return Device.cpu();
        }
        if (device.equals("auto")) {
            return gpuCount > 0 ? Device.gpu(0) : Device.cpu();
        }
        int index = 0;
        Matcher m = GPU_N.matcher(device);
        if (m.matches()) {
            index = Integer.parseInt(m.group(1));
        }
        if (index >= gpuCount) {
            throw new IllegalArgumentException("device: " + device + " requested but "
                    + (gpuCount == 0 ? "no GPU is visible" : "only " + gpuCount + " GPU(s) are visible"));
        }
        return Device.gpu(index);
    }
}
