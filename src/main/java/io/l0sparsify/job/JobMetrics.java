package io.l0sparsify.job;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.springframework.stereotype.Component;

/**
 * Jobs by state ({@code l0_jobs{state="..."}}) and the queue depth ({@code l0_queue_depth}), read from the
 * database at scrape time so that they are right whichever process changed the jobs.
 */
@Component
class JobMetrics implements MeterBinder {

    private final JobStore store;

    JobMetrics(JobStore store) {
        this.store = store;
    }

    @Override
    public void bindTo(MeterRegistry registry) {
        for (JobState state : JobState.values()) {
            Gauge.builder("l0.jobs", store, s -> s.count(state))
                    .tag("state", state.name())
                    .description("Jobs in each state")
                    .register(registry);
        }
        Gauge.builder("l0.queue.depth", store, JobStore::countClaimable)
                .description("Jobs waiting for a worker: queued, or running under an expired lease")
                .register(registry);
    }
}
