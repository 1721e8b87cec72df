package io.l0sparsify.worker;

import io.l0sparsify.l0.CpuConvolutions;
import io.l0sparsify.l0.NativeAllocator;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.nio.file.Path;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * The in-process worker ({@code l0.worker.*}).
 *
 * @param enabled whether this process trains jobs (false: it only accepts and serves them)
 * @param concurrency jobs trained at the same time; unset: one per GPU of the worker's device, one on a CPU
 * @param id this worker's identity in the job table; RUNNING jobs under this id are re-queued at start-up,
 *     so it must be stable across restarts of the same instance (default: the host name)
 * @param device the devices for jobs that leave the choice to the worker (see {@link GpuPool}): auto, cpu, gpu,
 *     gpu:N, gpu:N,M or gpu:all
 * @param threads PyTorch intra-op threads ({@code ai.djl.pytorch.num_threads})
 * @param interopThreads PyTorch inter-op threads ({@code ai.djl.pytorch.num_interop_threads})
 * @param cpuConvolutions the kernels of convolutions on the CPU ({@link CpuConvolutions}; unset: the system
 *     property {@value CpuConvolutions#PROPERTY}, else gemm)
 * @param retainedNativeMemory freed native memory the process keeps for reuse, with blocks up to 32 MiB taken from
 *     glibc's heap ({@link NativeAllocator}); 0: glibc's own thresholds; unset: the system property
 *     {@value NativeAllocator#PROPERTY} (bytes), else 1 GiB
 * @param djlCacheDir where DJL extracts the PyTorch natives; unset: DJL's own {@code DJL_CACHE_DIR} (system
 *     property or environment) when given, else {@code ./data/djl-cache}
 * @param pollInterval how often an idle worker looks for queued jobs submitted by other processes
 * @param controlPollInterval how often a running job re-reads cancel/stop requests from the database
 * @param progressEverySteps progress is stored every so many steps besides every epoch end
 * @param maxAttempts a job claimed more often than this (it keeps dying with its worker) ends FAILED
 * @param latency how the ONNX Runtime latency in result.json is measured
 */
@ConfigurationProperties("l0.worker")
public record WorkerProperties(
        Boolean enabled,
        Integer concurrency,
        String id,
        String device,
        Integer threads,
        Integer interopThreads,
        CpuConvolutions cpuConvolutions,
        DataSize retainedNativeMemory,
        Path djlCacheDir,
        Duration pollInterval,
        Duration controlPollInterval,
        Integer progressEverySteps,
        Integer maxAttempts,
        Latency latency) {

    public WorkerProperties {
        enabled = enabled != null ? enabled : true;
        if (concurrency != null && concurrency < 1) {
            throw new IllegalArgumentException("l0.worker.concurrency: must be at least 1 but is " + concurrency);
        }
        id = id != null && !id.isBlank() ? id : hostName();
        device = device != null ? device : "auto";
        threads = threads != null ? threads : 1;
        interopThreads = interopThreads != null ? interopThreads : 1;
        // unset: what -Dl0.cpu-convolutions says, else gemm
        cpuConvolutions = cpuConvolutions != null ? cpuConvolutions : CpuConvolutions.configured();
        if (retainedNativeMemory != null && retainedNativeMemory.isNegative()) {
            throw new IllegalArgumentException(
                    "l0.worker.retained-native-memory: must not be negative but is " + retainedNativeMemory);
        }
        retainedNativeMemory = retainedNativeMemory != null ? retainedNativeMemory
                : DataSize.ofBytes(NativeAllocator.configuredRetainedBytes());
        pollInterval = pollInterval != null ? pollInterval : Duration.ofSeconds(2);
        controlPollInterval = controlPollInterval != null ? controlPollInterval : Duration.ofSeconds(1);
        progressEverySteps = progressEverySteps != null ? progressEverySteps : 100;
        maxAttempts = maxAttempts != null ? maxAttempts : 3;
        latency = latency != null ? latency : new Latency(null, null, null);
    }

    /**
     * @param threads ONNX Runtime intra-op threads
     * @param warmupRuns untimed runs first
     * @param runs timed runs; the median is reported
     */
    public record Latency(Integer threads, Integer warmupRuns, Integer runs) {
        public Latency {
            threads = threads != null ? threads : 1;
            warmupRuns = warmupRuns != null ? warmupRuns : 10;
            runs = runs != null ? runs : 50;
        }
    }

    private static String hostName() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (UnknownHostException e) {
            return "local";
        }
    }
}
