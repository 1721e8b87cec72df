package io.l0sparsify.worker;

import io.l0sparsify.ConditionalOnRole;
import io.l0sparsify.Role;
import io.l0sparsify.job.IllegalTransitionException;
import io.l0sparsify.job.Job;
import io.l0sparsify.job.JobAttempt;
import io.l0sparsify.job.JobError;
import io.l0sparsify.job.JobState;
import io.l0sparsify.job.JobStore;
import io.l0sparsify.job.JobSubmittedEvent;
import io.l0sparsify.job.QueueProperties;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * The in-process worker: {@code l0.worker.concurrency} loops (default one per GPU, see {@link GpuPool}), each
 * claiming the oldest queued job and running it. It starts after the database is migrated, first giving back
 * to the queue the jobs an earlier run of this instance left RUNNING. On shutdown it asks running jobs to stop
 * at their next step, waits for the loops (which put interrupted jobs back in the queue) and only then lets the
 * context close the database.
 */
@ConditionalOnRole({Role.ALL, Role.WORKER})
@Component
class JobWorker implements SmartLifecycle {

    private static final Logger log = LoggerFactory.getLogger(JobWorker.class);
    private static final long SHUTDOWN_WAIT_SECONDS = 60;
    private static final int QUARANTINE_PAGE = 100;

    private final JobStore store;
    private final JobRunner runner;
    private final WorkerProperties properties;
    private final QueueProperties queue;
    private int concurrency;
    private final GpuPool gpus;
    private final JobCheckpoints checkpoints;
    /** Permits = wake-ups: a submit in this process releases one so an idle loop claims at once. */
    private final Semaphore wakeUps = new Semaphore(0);
    private final List<Future<?>> loops = new ArrayList<>();
    /** Jobs a loop of this process is running now. */
    private final Set<String> runningHere = ConcurrentHashMap.newKeySet();

    private volatile boolean running;
    private ExecutorService executor;

    JobWorker(JobStore store, JobRunner runner, WorkerProperties properties, QueueProperties queue, GpuPool gpus,
            JobCheckpoints checkpoints) {
        this.store = store;
        this.checkpoints = checkpoints;
        this.runner = runner;
        this.properties = properties;
        this.queue = queue;
        this.gpus = gpus;
    }

    @Override
    public synchronized void start() {
        if (!properties.enabled() || running) {
            return;
        }
        quarantineJobsThatKeepKillingThisWorker();
        int recovered = store.recover(properties.id());
        if (recovered > 0) {
            log.info("worker {}: {} job(s) interrupted by the previous shutdown are queued again", properties.id(),
                    recovered);
        }
        // counting the GPUs loads the engine: only here, in a worker that runs
        concurrency = properties.concurrency() != null ? properties.concurrency() : gpus.defaultConcurrency();
        running = true;
        AtomicInteger counter = new AtomicInteger();
        executor = Executors.newFixedThreadPool(concurrency, r -> {
            Thread thread = new Thread(r, "l0-worker-" + counter.incrementAndGet());
            thread.setDaemon(false);
            return thread;
        });
        for (int i = 0; i < concurrency; i++) {
            loops.add(executor.submit(this::loop));
        }
        log.info("worker {}: started {} loop(s), device {}, GPUs for jobs that leave the choice to it: {}",
                properties.id(), concurrency, properties.device(), gpus.workerGpus());
    }

    /**
     * A job this worker's previous process left RUNNING died with that process: {@link JobStore#recover} records
     * the death on its attempt, and as it may have been killed from outside (a deploy, a power cut) it gets
     * another attempt. A job that had already died with this worker before (an earlier attempt here recorded as
     * a death, not a clean release on shutdown) is the likely cause of the deaths, and re-running it at start-up
     * would bring the service down again: it ends FAILED ({@code quarantined}) instead, naming those attempts.
     */
    private void quarantineJobsThatKeepKillingThisWorker() {
        String here = properties.id();
        long before = Long.MAX_VALUE;
        while (true) {
            List<Job> running = store.page(JobState.RUNNING, before, QUARANTINE_PAGE);
            for (Job job : running) {
                if (!here.equals(job.workerId()) || job.cancelRequested()) {
                    continue;
                }
                List<JobAttempt> earlierHere = store.attempts(job).stream()
                        .filter(a -> a.attempt() < job.attempt() && here.equals(a.workerId()) && a.died()).toList();
                if (!earlierHere.isEmpty()) {
                    String attempts = earlierHere.stream().map(a -> String.valueOf(a.attempt()))
                            .collect(Collectors.joining(", "));
                    try {
                        store.markFailed(job.id(), here, new JobError(JobError.QUARANTINED, "the worker " + here
                                + " died while running attempt " + job.attempt() + " of this job, as it had before"
                                + " (attempt " + attempts + "); the job is not run again so that"
                                + " it cannot bring the service down once more. Memory the network needs beyond"
                                + " l0.limits.max-step-memory is a common cause."));
                    } catch (IllegalTransitionException e) {
                        // its lease ran out while this worker was down and another worker has taken it over
                        log.warn("job {}: not quarantined; another worker holds it now", job.id());
                        continue;
                    }
                    checkpoints.delete(job.id());
                    log.error("job {}: quarantined; worker {} died running it at attempts {} and {}", job.id(),
                            here, attempts, job.attempt());
                }
            }
            if (running.size() < QUARANTINE_PAGE) {
                return;
            }
            before = running.getLast().seq();
        }
    }

    @Override
    public synchronized void stop() {
        if (!running) {
            return;
        }
        running = false;
        wakeUps.release(concurrency);
        executor.shutdown();
        for (Future<?> loop : loops) {
            try {
                loop.get(SHUTDOWN_WAIT_SECONDS, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            } catch (ExecutionException e) {
                log.error("worker loop ended with an error", e.getCause());
            } catch (TimeoutException e) {
                log.warn("a worker loop did not stop within {} s; its job is re-queued at the next start",
                        SHUTDOWN_WAIT_SECONDS);
            }
        }
        loops.clear();
        executor.shutdownNow();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @EventListener
    void onSubmitted(JobSubmittedEvent event) {
        wakeUps.release();
    }

    private void loop() {
        while (running) {
            Optional<Job> claimed;
            try {
                claimed = store.claimNext(properties.id(), queue.leaseDuration());
            } catch (RuntimeException e) {
                log.error("worker {}: claim failed; retrying", properties.id(), e);
                claimed = Optional.empty();
            }
            if (claimed.isPresent()) {
                String id = claimed.get().id();
                if (!runningHere.add(id)) {
                    // Our own lease lapsed (the database was out of reach for most of a lease) and another loop
                    // of this process re-claimed the job: the run in progress keeps it, under the same id.
                    log.warn("job {}: re-claimed while still running here; the running attempt continues", id);
                    continue;
                }
                try {
                    // run() records every outcome itself; it throws nothing.
                    runner.run(claimed.get(), () -> !running);
                } finally {
                    runningHere.remove(id);
                }
                continue;
            }
            try {
                wakeUps.tryAcquire(properties.pollInterval().toMillis(), TimeUnit.MILLISECONDS);
                wakeUps.drainPermits();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
    }
}
