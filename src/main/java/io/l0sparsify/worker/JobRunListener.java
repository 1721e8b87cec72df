package io.l0sparsify.worker;

import io.l0sparsify.job.JobControls;
import io.l0sparsify.job.JobProgress;
import io.l0sparsify.job.JobStore;
import io.l0sparsify.l0.RunListener;
import io.l0sparsify.l0.TrainingCheckpoint;
import io.l0sparsify.l0.TrainingControl;
import io.l0sparsify.l0.TrainingProgress;
import java.time.Duration;
import java.util.Optional;
import java.util.function.BooleanSupplier;
import java.util.function.DoubleConsumer;

/**
 * Connects one run to its job: stores every progress snapshot (which also renews the worker's lease), saves the
 * checkpoints, and answers the trainer's "continue?" before each step from the lease (a lost claim ends the run),
 * the user's request (made in this process, or stored by another one) and the worker's shutdown flag. When it
 * tells the trainer to abandon the run it records why ({@link #abandonReason()}).
 */
final class JobRunListener implements RunListener {

    private final String jobId;
    private final String workerId;
    private final JobStore store;
    private final JobControls controls;
    private final JobCheckpoints checkpoints;
    private final LeaseHeartbeat.Lease lease;
    private final Duration leaseDuration;
    private final Duration controlPollInterval;
    private final BooleanSupplier shuttingDown;
    private final DoubleConsumer throughput;

    private long lastControlPollNanos = System.nanoTime();
    private TrainingControl stored = TrainingControl.CONTINUE;
    /** Test error is only measured at epoch ends; snapshots in between carry the last one. */
    private Double lastTestError;
    /** The sweep point in training, which every progress snapshot names; null for a job without a sweep. */
    private JobProgress.SweepPoint sweepPoint;
    /** Set when {@link #control()} answered CANCEL: the trainer abandons the run right after. */
    private AbandonReason abandonReason;

    JobRunListener(String jobId, String workerId, JobStore store, JobControls controls, JobCheckpoints checkpoints,
            LeaseHeartbeat.Lease lease, Duration leaseDuration, Duration controlPollInterval,
            BooleanSupplier shuttingDown, DoubleConsumer throughput) {
        this.jobId = jobId;
        this.workerId = workerId;
        this.store = store;
        this.controls = controls;
        this.checkpoints = checkpoints;
        this.lease = lease;
        this.leaseDuration = leaseDuration;
        this.controlPollInterval = controlPollInterval;
        this.shuttingDown = shuttingDown;
        this.throughput = throughput;
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
                finite(p.examplesPerSecond()), finite(p.elapsedSeconds()), eta, budget(p.budget()));
        if (sweepPoint != null) {
            progress = progress.withSweep(sweepPoint);
        }
        throughput.accept(progress.examplesPerSecond());
        if (!store.recordProgress(jobId, workerId, progress, leaseDuration)) {
            // The job is no longer ours (lease lost, or recovered by another process): stop working on it.
            lease.lose();
        }
    }

    @Override
    public TrainingControl control() {
        // A lost claim ends the run whatever else holds: the job is another worker's now.
        if (lease.lost()) {
            return abandon(AbandonReason.LOST_LEASE);
        }
        boolean shutdown = shuttingDown.getAsBoolean();
        // While shutting down, look the user's request up at once: a cancelled job ends CANCELLED, not queued.
        TrainingControl requested = userRequest(shutdown);
        if (requested == TrainingControl.CANCEL) {
            return abandon(AbandonReason.USER_CANCEL);
        }
        if (shutdown) {
            return abandon(AbandonReason.SHUTDOWN);
        }
        return requested;
    }

    @Override
    public void onCheckpoint(TrainingCheckpoint checkpoint) {
        checkpoints.save(jobId, checkpoint);
    }

    /** From now on the progress is that of point {@code point} of a sweep of {@code points}. */
    void sweepPoint(int point, int points) {
        sweepPoint = new JobProgress.SweepPoint(point, points);
    }

    /** Why this listener told the trainer to abandon the run; empty while it has not. */
    Optional<AbandonReason> abandonReason() {
        return Optional.ofNullable(abandonReason);
    }

    private TrainingControl abandon(AbandonReason reason) {
        abandonReason = reason;
        return TrainingControl.CANCEL;
    }

    /**
     * The user's request: one made in this process at once, one stored by another process within
     * {@code controlPollInterval}, or at once when {@code now}.
     */
    private TrainingControl userRequest(boolean now) {
        TrainingControl local = controls.current(jobId);
        if (local != TrainingControl.CONTINUE) {
            return local;
        }
        long nanos = System.nanoTime();
        if (now || nanos - lastControlPollNanos >= controlPollInterval.toNanos()) {
            lastControlPollNanos = nanos;
            stored = store.controlOf(jobId, workerId).map(TrainingControl::valueOf).orElse(stored);
        }
        return stored;
    }

    private static JobProgress.Budget budget(TrainingProgress.Budget b) {
        return b == null ? null : new JobProgress.Budget(b.metric().field(), b.target(), b.currentTarget(),
                b.expected(), b.deterministic(), b.lambda1(), b.lambda2(), finiteOrNull(b.aim()),
                finiteOrNull(b.gain()));
    }

    private static Double finiteOrNull(double value) {
        return Double.isFinite(value) ? value : null;
    }

    private static double finite(double value) {
        return Double.isFinite(value) ? value : 0;
    }
}
