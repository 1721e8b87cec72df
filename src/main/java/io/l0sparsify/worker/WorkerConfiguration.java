package io.l0sparsify.worker;

import ai.djl.engine.Engine;
import io.micrometer.core.instrument.MeterRegistry;
import io.l0sparsify.ConditionalOnRole;
import io.l0sparsify.Role;
import io.l0sparsify.l0.L0Trainer;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@ConditionalOnRole({Role.ALL, Role.WORKER})
@Configuration(proxyBeanMethods = false)
class WorkerConfiguration {

    /** The GPUs the PyTorch engine sees; loads the engine, after {@link DjlEnvironment} set it up. */
    @Bean
    @ConditionalOnMissingBean(VisibleGpus.class)
    VisibleGpus visibleGpus(DjlEnvironment djlEnvironment) {
        return () -> Engine.getEngine("PyTorch").getGpuCount();
    }

    /** The placement of jobs on GPUs, with {@code l0_worker_gpu_jobs{gpu}}: jobs on each GPU in this process. */
    @Bean
    GpuPool gpuPool(WorkerProperties properties, VisibleGpus visibleGpus, MeterRegistry registry) {
        return new GpuPool(properties.device(), visibleGpus::count, registry);
    }

    /** The L0 trainer of the core; a new trainer per run keeps runs independent. */
    @Bean
    @ConditionalOnMissingBean(Training.class)
    Training l0Training() {
        return (spec, config, data, listener, resumeFrom, start) ->
                new L0Trainer().train(spec, config, data, listener, resumeFrom, start);
    }
}
