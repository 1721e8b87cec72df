package io.l0sparsify.worker;

import io.l0sparsify.ConditionalOnRole;
import io.l0sparsify.Role;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/** Training throughput of the jobs running in this process ({@code l0_training_examples_per_second}). */
@ConditionalOnRole({Role.ALL, Role.WORKER})
@Component
class WorkerMetrics {

    private final Map<String, Double> examplesPerSecond = new ConcurrentHashMap<>();

    WorkerMetrics(MeterRegistry registry) {
        Gauge.builder("l0.training.examples.per.second", examplesPerSecond,
                        m -> m.values().stream().mapToDouble(Double::doubleValue).sum())
                .description("Training examples per second summed over the jobs running in this process")
                .register(registry);
        Gauge.builder("l0.worker.jobs.running", examplesPerSecond, Map::size)
                .description("Jobs training in this process").register(registry);
    }

    void throughput(String jobId, double value) {
        examplesPerSecond.put(jobId, value);
    }

    void finished(String jobId) {
        examplesPerSecond.remove(jobId);
    }
}
