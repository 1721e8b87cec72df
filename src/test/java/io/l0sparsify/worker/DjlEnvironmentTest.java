package io.l0sparsify.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.l0sparsify.l0.CpuConvolutions;
import io.l0sparsify.l0.NativeAllocator;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.BindException;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

class DjlEnvironmentTest {

    private static WorkerProperties properties(Integer threads, Integer interop, Path cache) {
        return properties(threads, interop, null, cache);
    }

    private static WorkerProperties properties(Integer threads, Integer interop, CpuConvolutions convolutions,
            Path cache) {
        return new WorkerProperties(null, null, null, null, threads, interop, convolutions, null, cache, null, null,
                null, null, null);
    }

    @Test
    void threadSettingsAndOfflineModeBecomeTheSystemPropertiesDjlReads() {
        String before = System.getProperty("DJL_CACHE_DIR");
        String convolutionsBefore = System.getProperty(CpuConvolutions.PROPERTY);
        String retainedBefore = System.getProperty(NativeAllocator.PROPERTY);
        try {
            Path cache = Path.of("target", "djl-cache").toAbsolutePath();
            new DjlEnvironment(properties(3, 2, CpuConvolutions.ONEDNN, cache));
            assertThat(System.getProperty("ai.djl.pytorch.num_threads")).isEqualTo("3");
            assertThat(System.getProperty(CpuConvolutions.PROPERTY)).isEqualTo("ONEDNN");
            assertThat(System.getProperty(NativeAllocator.PROPERTY)).isEqualTo(Long.toString(1L << 30));
            assertThat(System.getProperty("ai.djl.pytorch.num_interop_threads")).isEqualTo("2");
            assertThat(System.getProperty("ai.djl.offline")).isEqualTo("true");
            assertThat(System.getProperty("DJL_CACHE_DIR")).isEqualTo(cache.toString());
        } finally {
            System.setProperty("ai.djl.pytorch.num_threads", "1");
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
            // as the build set it (-Dcpu.convolutions), so that later tests' engine runs what was asked
            if (convolutionsBefore != null) {
                System.setProperty(CpuConvolutions.PROPERTY, convolutionsBefore);
            } else {
                System.clearProperty(CpuConvolutions.PROPERTY);
            }
            if (retainedBefore != null) {
                System.setProperty(NativeAllocator.PROPERTY, retainedBefore);
            } else {
                System.clearProperty(NativeAllocator.PROPERTY);
            }
            if (before != null) {
                System.setProperty("DJL_CACHE_DIR", before);
            }
        }
    }

    @Test
    void retainedNativeMemoryBindsAsADataSizeAndANegativeOneIsRefused() {
        Binder binder = new Binder(new MapConfigurationPropertySource(
                Map.of("l0.worker.retained-native-memory", "256MB")));
        assertThat(binder.bind("l0.worker", WorkerProperties.class).get().retainedNativeMemory().toBytes())
                .isEqualTo(256L << 20);
        Binder off = new Binder(new MapConfigurationPropertySource(Map.of("l0.worker.retained-native-memory", "0")));
        assertThat(off.bind("l0.worker", WorkerProperties.class).get().retainedNativeMemory().toBytes()).isZero();
        Binder negative = new Binder(new MapConfigurationPropertySource(
                Map.of("l0.worker.retained-native-memory", "-1MB")));
        assertThatThrownBy(() -> negative.bind("l0.worker", WorkerProperties.class))
                .hasStackTraceContaining("l0.worker.retained-native-memory");
    }

    @Test
    void theConvolutionKindBindsFromConfigurationInAnyCaseAndAnUnknownOneIsRefused() {
        Binder binder = new Binder(new MapConfigurationPropertySource(
                Map.of("l0.worker.cpu-convolutions", "nnpack")));
        assertThat(binder.bind("l0.worker", WorkerProperties.class).get().cpuConvolutions())
                .isEqualTo(CpuConvolutions.NNPACK);
        Binder wrong = new Binder(new MapConfigurationPropertySource(
                Map.of("l0.worker.cpu-convolutions", "winograd")));
        assertThatThrownBy(() -> wrong.bind("l0.worker", WorkerProperties.class))
                .isInstanceOf(BindException.class)
                .hasMessageContaining("l0.worker.cpu-convolutions");
    }

    @Test
    void defaultsAreOneThreadEachAndDjlsOwnCacheSetting() {
        WorkerProperties defaults = properties(null, null, null);
        assertThat(defaults.threads()).isEqualTo(1);
        assertThat(defaults.interopThreads()).isEqualTo(1);
        assertThat(defaults.cpuConvolutions()).isEqualTo(CpuConvolutions.configured());
        assertThat(defaults.concurrency()).isNull();
        String before = System.getProperty("DJL_CACHE_DIR");
        try {
            System.setProperty("DJL_CACHE_DIR", "target/given-cache");
            assertThat(DjlEnvironment.cacheDir(defaults)).isEqualTo(Path.of("target/given-cache").toAbsolutePath());
        } finally {
            if (before != null) {
                System.setProperty("DJL_CACHE_DIR", before);
            } else {
                System.clearProperty("DJL_CACHE_DIR");
            }
        }
    }
}
