package io.l0sparsify.l0;

import ai.djl.Device;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Turns the user's device word into DJL {@link Device}s; the one place that decides where training runs.
 *
 * <ul>
 *   <li>{@code auto}: GPU 0 when the engine sees one, else the CPU</li>
 *   <li>{@code cpu}, {@code gpu} (GPU 0), {@code gpu:N}</li>
 *   <li>{@code gpu:N,M} (any number) and {@code gpu:all}: one run across several GPUs, each minibatch split between
 *       them (data parallel; see {@link L0Trainer})</li>
 * </ul>
 */
public final class Devices {

    /** What {@link #parse} accepts, for error messages. */
    public static final String SYNTAX = "auto, cpu, gpu, gpu:N, a list gpu:N,M or gpu:all";

    private static final Pattern GPU_LIST = Pattern.compile("gpu:(\\d{1,3})(,\\d{1,3})*");
    private static final int MAX_DEVICES = 64;

    private Devices() {}

    /** Checks the syntax only; needs no engine. */
    public static void parse(String device) {
        if (device == null || !(device.equals("auto") || device.equals("cpu") || device.equals("gpu")
                || device.equals("gpu:all") || GPU_LIST.matcher(device).matches())) {
            throw new IllegalArgumentException("device: must be " + SYNTAX + " but is " + device);
        }
        if (device.startsWith("gpu:") && !device.equals("gpu:all")) {
            List<Integer> indices = gpuIndices(device);
            if (new LinkedHashSet<>(indices).size() != indices.size()) {
                throw new IllegalArgumentException("device: " + device + " names a GPU twice");
            }
            if (indices.size() > MAX_DEVICES) {
                throw new IllegalArgumentException("device: " + device + " names more than " + MAX_DEVICES + " GPUs");
            }
        }
    }

    /**
     * Resolves against the GPUs the engine sees; an explicit GPU that is not there is an error rather than a
     * silent fall-back. The first device holds the parameters; the others hold replicas.
     */
    public static List<Device> resolve(String device) {
        return resolve(device, Libtorch.engine().getGpuCount());
    }

    public static List<Device> resolve(String device, int gpuCount) {
        parse(device);
        if (device.equals("cpu")) {
            return List.of(Device.cpu());
        }
        if (device.equals("auto")) {
            return List.of(gpuCount > 0 ? Device.gpu(0) : Device.cpu());
        }
        if (gpuCount == 0) {
            throw new IllegalArgumentException("device: " + device + " requested but no GPU is visible");
        }
        if (device.equals("gpu:all")) {
            List<Device> all = new ArrayList<>();
            for (int i = 0; i < gpuCount; i++) {
                all.add(Device.gpu(i));
            }
            return List.copyOf(all);
        }
        List<Integer> indices = device.equals("gpu") ? List.of(0) : gpuIndices(device);
        List<Device> result = new ArrayList<>();
        for (int index : indices) {
            if (index >= gpuCount) {
                throw new IllegalArgumentException("device: " + device + " requested but only " + gpuCount
                        + " GPU(s) are visible");
            }
            result.add(Device.gpu(index));
        }
        return List.copyOf(result);
    }

    /** The devices as one word, e.g. {@code gpu(0)} or {@code gpu(0)+gpu(1)}. */
    public static String describe(List<Device> devices) {
        List<String> names = new ArrayList<>();
        for (Device d : devices) {
            names.add(d.toString());
        }
        return String.join("+", names);
    }

    private static List<Integer> gpuIndices(String device) {
        List<Integer> indices = new ArrayList<>();
        for (String part : device.substring("gpu:".length()).split(",")) {
            indices.add(Integer.parseInt(part));
        }
        return indices;
    }
}
