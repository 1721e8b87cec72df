package io.l0sparsify.worker;

import ai.djl.Device;
import io.l0sparsify.l0.Devices;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntSupplier;

/**
 * Where this worker runs each job: one job per GPU.
 *
 * <p>The worker's GPUs are those its {@code l0.worker.device} names ({@code auto} and {@code gpu}: every GPU
 * the engine sees; {@code gpu:N} or {@code gpu:N,M}: those; {@code cpu}: none). A job that leaves the
 * device to the worker ({@code auto}, {@code gpu}, or nothing) goes to the worker's least busy GPU, the
 * lowest index among equals, or to the CPU on a worker without GPUs. A job that names its devices
 * ({@code cpu}, {@code gpu:N}, {@code gpu:N,M}, {@code gpu:all}) runs there, sharing a GPU if it must, and
 * counts as busy on each of them. With as many loops as GPUs (the default), jobs that leave the choice to the
 * worker never share a GPU with another job of this process.
 *
 * <p>The GPUs are counted on first use, which loads the PyTorch engine: a worker that is disabled never does.
 */
final class GpuPool {

    /** A job's devices, held until closed. */
    interface Placement extends AutoCloseable {

        /** The device word the run gets, resolved: {@code cpu}, {@code gpu:N} or {@code gpu:N,M}. */
        String device();

        @Override
        void close();
    }

    private final String workerDevice;
    private final IntSupplier gpuCount;
    private final MeterRegistry registry;
    private int visibleGpus;
    /** Null until the GPUs are counted. */
    private List<Integer> workerGpus;
    private int[] busy;

    /**
     * @param workerDevice {@code l0.worker.device}
     * @param gpuCount the GPUs the engine sees, asked once, on first use
     * @param registry where {@code l0_worker_gpu_jobs{gpu}} goes; null: nowhere
     */
    GpuPool(String workerDevice, IntSupplier gpuCount, MeterRegistry registry) {
        this.workerDevice = workerDevice;
        this.gpuCount = gpuCount;
        this.registry = registry;
    }

    GpuPool(String workerDevice, int visibleGpus) {
        this(workerDevice, () -> visibleGpus, null);
    }

    /**
     * Counts the GPUs and checks the worker's device against them.
     *
     * @throws IllegalArgumentException when the worker's device names a GPU that is not there
     */
    private void count() {
        if (workerGpus != null) {
            return;
        }
        visibleGpus = gpuCount.getAsInt();
        busy = new int[visibleGpus];
        List<Integer> gpus = new ArrayList<>();
        if (workerDevice.equals("auto") || workerDevice.equals("gpu")) {
            // as a worker's device these mean "every GPU", not "GPU 0" as for a job
            gpus.addAll(allVisible());
            if (gpus.isEmpty() && workerDevice.equals("gpu")) {
                throw new IllegalArgumentException("l0.worker.device: gpu but no GPU is visible");
            }
        } else {
            try {
                gpus.addAll(gpuIndices(Devices.resolve(workerDevice, visibleGpus)));
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("l0.worker." + e.getMessage(), e);
            }
        }
        workerGpus = List.copyOf(gpus);
        if (registry != null) {
            for (int gpu = 0; gpu < visibleGpus; gpu++) {
                int index = gpu;
                Gauge.builder("l0.worker.gpu.jobs", this, p -> p.busy()[index]).tag("gpu", Integer.toString(gpu))
                        .description("Jobs training on this GPU in this process").register(registry);
            }
        }
    }

    /** The GPUs jobs are spread over; empty on a CPU worker. */
    synchronized List<Integer> workerGpus() {
        count();
        return workerGpus;
    }

    /** Loops to run when {@code l0.worker.concurrency} is not set: one per GPU, one on a CPU worker. */
    synchronized int defaultConcurrency() {
        count();
        return Math.max(1, workerGpus.size());
    }

    /**
     * Places a job that asked for {@code requested} (null: nothing).
     *
     * @throws IllegalArgumentException when it names a GPU this machine does not have
     */
    synchronized Placement place(String requested) {
        count();
        String device = requested == null ? "auto" : requested;
        Devices.parse(device);
        if (device.equals("auto") || device.equals("gpu")) {
            List<Integer> candidates = workerGpus;
            if (candidates.isEmpty() && device.equals("gpu")) {
                // a CPU worker on a machine with GPUs still honours a job that wants one
                candidates = allVisible();
            }
            if (candidates.isEmpty()) {
                if (device.equals("gpu")) {
                    throw new IllegalArgumentException("device: gpu requested but no GPU is visible");
                }
                return hold("cpu", List.of());
            }
            int chosen = candidates.get(0);
            for (int gpu : candidates) {
                if (busy[gpu] < busy[chosen]) {
                    chosen = gpu;
                }
            }
            return hold("gpu:" + chosen, List.of(chosen));
        }
        List<Integer> gpus = gpuIndices(Devices.resolve(device, visibleGpus));
        if (gpus.isEmpty()) {
            return hold("cpu", gpus);
        }
        List<String> indices = new ArrayList<>();
        for (int gpu : gpus) {
            indices.add(Integer.toString(gpu));
        }
        return hold("gpu:" + String.join(",", indices), gpus);
    }

    /** Jobs running on each visible GPU, for logs and tests. */
    synchronized int[] busy() {
        count();
        return busy.clone();
    }

    private static List<Integer> gpuIndices(List<Device> devices) {
        List<Integer> indices = new ArrayList<>();
        for (Device d : devices) {
            if (d.isGpu()) {
                indices.add(d.getDeviceId());
            }
        }
        return indices;
    }

    private List<Integer> allVisible() {
        List<Integer> all = new ArrayList<>();
        for (int i = 0; i < visibleGpus; i++) {
            all.add(i);
        }
        return all;
    }

    private Placement hold(String device, List<Integer> gpus) {
        for (int gpu : gpus) {
            busy[gpu]++;
        }
        return new Placement() {
            private boolean closed;

            @Override
            public String device() {
                return device;
            }

            @Override
            public void close() {
                synchronized (GpuPool.this) {
                    if (!closed) {
                        closed = true;
                        for (int gpu : gpus) {
                            busy[gpu]--;
                        }
                    }
                }
            }
        };
    }
}
