package io.l0sparsify.worker;

import io.l0sparsify.ConditionalOnRole;
import io.l0sparsify.Role;
import io.l0sparsify.job.Job;
import io.l0sparsify.job.JobControls;
import io.l0sparsify.job.JobStore;
import java.util.function.BooleanSupplier;
import org.springframework.stereotype.Component;

/** Makes the {@link JobRunListener} of each run from the worker's shared parts. */
@ConditionalOnRole({Role.ALL, Role.WORKER})
@Component
class JobRunListeners {

    private final JobStore store;
    private final JobControls controls;
    private final JobCheckpoints checkpoints;
    private final LeaseHeartbeat heartbeat;
    private final WorkerMetrics metrics;
    private final WorkerProperties properties;

    JobRunListeners(JobStore store, JobControls controls, JobCheckpoints checkpoints, LeaseHeartbeat heartbeat,
            WorkerMetrics metrics, WorkerProperties properties) {
        this.store = store;
        this.controls = controls;
        this.checkpoints = checkpoints;
        this.heartbeat = heartbeat;
        this.metrics = metrics;
        this.properties = properties;
    }

    JobRunListener forRun(Job job, LeaseHeartbeat.Lease lease, BooleanSupplier shuttingDown) {
        return new JobRunListener(job.id(), properties.id(), store, controls, checkpoints, lease,
                heartbeat.leaseDuration(), properties.controlPollInterval(), shuttingDown,
                examplesPerSecond -> metrics.throughput(job.id(), examplesPerSecond));
    }
}
