package io.l0sparsify.worker;

import io.l0sparsify.job.JobControls;
import io.l0sparsify.job.JobProgress;
import io.l0sparsify.job.JobStore;
import io.l0sparsify.l0.RunListener;
import io.l0sparsify.l0.TrainingCheckpoint;
import io.l0sparsify.l0.TrainingControl;
import io.l0sparsify.l0.TrainingProgress;
import java.time.Duration;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.DoubleConsumer;

/**
 * Connects one run to its job: stores every progress snapshot (which also renews the worker's lease) and
 * answers the trainer's "continue?" before each step from the lease (a lost claim ends the run), the
 * in-process request, the database (for requests that reached another process) and the worker's shutdown
 * flag.
 */
final class JobRunListener implements RunListener {

    private final String jobId;
    private final String workerId;
    private final JobStore store;
    private final JobControls controls;
    private final WorkerProperties properties;
    private final LeaseHeartbeat.Lease lease;
    private final Duration leaseDuration;
    private final BooleanSupplier shuttingDown;
    private final DoubleConsumer throughput;
    private final Consumer<TrainingCheckpoint> checkpoints;

    private long lastControlPollNanos = System.nanoTime();
    private TrainingControl stored = TrainingControl.CONTINUE;
    /** Test error is only measured at epoch ends; snapshots in between carry the last one. */
    private Double lastTestError;

    JobRunListener(String jobId, String workerId, JobStore store, JobControls controls,
            WorkerProperties properties, LeaseHeartbeat.Lease lease, Duration leaseDuration,
            BooleanSupplier shuttingDown, DoubleConsumer throughput, Consumer<TrainingCheckpoint> checkpoints) {
        this.jobId = jobId;
        this.workerId = workerId;
        this.store = store;
        this.controls = controls;
        this.properties = properties;
        this.lease = lease;
        this.leaseDuration = leaseDuration;
        this.shuttingDown = shuttingDown;
        this.throughput = throughput;
        this.checkpoints = checkpoints;
    }

    @Override
    public void onProgress(TrainingProgress p) {
        double fraction = p.fraction();
        Double eta = fraction > 0 ? p.elapsedSeconds() * (1 - fraction) / fraction : null;
        if (Double.isFinite(p.testError())) {
            lastTestError = p.testError();
        }
        JobProgress progress = new JobProgress(p.epoch(), p.epochs(), p.step(), fraction, finite(p.trainLoss()),
                lastTestError, finite(p.expectedL0()), p.keptUnits(),
                finite(p.examplesPerSecond()), finite(p.elapsedSeconds()), eta);
        throughput.accept(progress.examplesPerSecond());
        if (!store.recordProgress(jobId, workerId, progress, leaseDuration)) {
            // The job is no longer ours (lease lost, or recovered by another process): stop working on it.
            lease.lose();
        }
    }

    @Override
    public TrainingControl control() {
        if (lease.lost() || shuttingDown.getAsBoolean()) {
            return TrainingControl.CANCEL;
        }
        TrainingControl local = controls.current(jobId);
        if (local != TrainingControl.CONTINUE) {
            return local;
        }
        long now = System.nanoTime();
        if (now - lastControlPollNanos >= properties.controlPollInterval().toNanos()) {
            lastControlPollNanos = now;
            stored = store.controlOf(jobId, workerId).map(TrainingControl::valueOf).orElse(stored);
        }
        return stored;
    }

    @Override
    public void onCheckpoint(TrainingCheckpoint checkpoint) {
        checkpoints.accept(checkpoint);
    }

    private static double finite(double value) {
        return Double.isFinite(value) ? value : 0;
    }
}
