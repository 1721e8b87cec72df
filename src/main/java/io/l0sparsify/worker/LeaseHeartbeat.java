package io.l0sparsify.worker;

import io.l0sparsify.ConditionalOnRole;
import io.l0sparsify.Role;
import io.l0sparsify.job.JobStore;
import io.l0sparsify.job.QueueProperties;
import java.time.Duration;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.stereotype.Component;

/**
 * Renews the lease of every job this process runs, every third of {@code l0.queue.lease-duration}, from a
 * timer thread of its own: training steps, epoch-end evaluation, export and latency measurement can each take
 * longer than a lease, and progress writes alone would let the lease lapse in between. A renewal that finds the
 * job no longer held by this worker (its lease ran out and another worker claimed it, or it was recovered)
 * marks the {@link Lease} lost; the run then stops without recording anything.
 */
@ConditionalOnRole({Role.ALL, Role.WORKER})
@Component
class LeaseHeartbeat implements DisposableBean {

    private static final Logger log = LoggerFactory.getLogger(LeaseHeartbeat.class);

    private final JobStore store;
    private final Duration leaseDuration;
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread thread = new Thread(r, "l0-lease-heartbeat");
        thread.setDaemon(true);
        return thread;
    });

    LeaseHeartbeat(JobStore store, QueueProperties queue) {
        this.store = store;
        this.leaseDuration = queue.leaseDuration();
    }

    /** Starts renewing the lease of a job just claimed by {@code workerId}; close the lease when the run ends. */
    Lease hold(String jobId, String workerId) {
        Lease lease = new Lease(jobId, workerId);
        long period = Math.max(1, leaseDuration.toMillis() / 3);
        lease.beats = timer.scheduleAtFixedRate(() -> renew(lease), period, period, TimeUnit.MILLISECONDS);
        return lease;
    }

    Duration leaseDuration() {
        return leaseDuration;
    }

    private void renew(Lease lease) {
        try {
            if (!store.renewLease(lease.jobId, lease.workerId, leaseDuration)) {
                log.warn("job {}: worker {} no longer holds it; stopping the local run", lease.jobId, lease.workerId);
                lease.lose();
            }
        } catch (RuntimeException e) {
            // A failed beat must not end the timer (an exception would cancel the schedule); the next beat
            // retries, and the lease still has two more periods to run.
            log.warn("job {}: lease not renewed, retrying: {}", lease.jobId, e.getMessage());
        }
    }

    @Override
    public void destroy() {
        timer.shutdownNow();
    }

    /** One job's claim as this process sees it. */
    static final class Lease implements AutoCloseable {

        private final String jobId;
        private final String workerId;
        private volatile boolean lost;
        private volatile ScheduledFuture<?> beats;

        private Lease(String jobId, String workerId) {
            this.jobId = jobId;
            this.workerId = workerId;
        }

        /** Whether the job is known to be held by someone else now: its run must not record a result. */
        boolean lost() {
            return lost;
        }

        /** Called when any write conditional on this worker's claim changed nothing. */
        void lose() {
            lost = true;
            close();
        }

        @Override
        public void close() {
            ScheduledFuture<?> scheduled = beats;
            if (scheduled != null) {
                scheduled.cancel(false);
            }
        }
    }
}
