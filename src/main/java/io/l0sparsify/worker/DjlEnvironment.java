package io.l0sparsify.worker;

import io.l0sparsify.ConditionalOnRole;
import io.l0sparsify.Role;
import io.l0sparsify.l0.CpuConvolutions;
import io.l0sparsify.l0.NativeAllocator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.stereotype.Component;

/**
 * Applies the engine settings as the system properties DJL reads when the PyTorch engine loads (and the core, for
 * {@link CpuConvolutions} and {@link NativeAllocator}). The worker
 * depends on this bean, so the properties are set before the first job touches the engine.
 */
@ConditionalOnRole({Role.ALL, Role.WORKER})
@Component
class DjlEnvironment {

    DjlEnvironment(WorkerProperties properties) {
        // Without it DJL probes the network at start-up; the natives come from the classpath.
        System.setProperty("ai.djl.offline", "true");
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(properties.threads()));
        System.setProperty("ai.djl.pytorch.num_interop_threads", Integer.toString(properties.interopThreads()));
        System.setProperty(CpuConvolutions.PROPERTY, properties.cpuConvolutions().name());
        System.setProperty(NativeAllocator.PROPERTY, Long.toString(properties.retainedNativeMemory().toBytes()));
        Path cache = cacheDir(properties);
        try {
            Files.createDirectories(cache);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create DJL cache directory " + cache, e);
        }
        System.setProperty("DJL_CACHE_DIR", cache.toString());
    }

    /** The configured directory, else one given to DJL directly, else ./data/djl-cache. */
    static Path cacheDir(WorkerProperties properties) {
        if (properties.djlCacheDir() != null) {
            return properties.djlCacheDir().toAbsolutePath();
        }
        String given = System.getProperty("DJL_CACHE_DIR", System.getenv("DJL_CACHE_DIR"));
        return (given != null && !given.isBlank() ? Path.of(given) : Path.of("data", "djl-cache")).toAbsolutePath();
    }
}
