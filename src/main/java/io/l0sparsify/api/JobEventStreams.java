package io.l0sparsify.api;

import io.l0sparsify.ConditionalOnRole;
import io.l0sparsify.Role;
import io.l0sparsify.job.Job;
import io.l0sparsify.job.JobService;
import java.io.IOException;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.http.MediaType;
import org.springframework.stereotype.Component;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * Server-Sent Events for one job: an event {@code state} (data: the job) when the stream opens and at every
 * state change, an event {@code progress} (data: the job's progress) at every progress update; the stream
 * ends after the job's final state. The job is read from the database every
 * {@code l0.api.events-poll-interval}, so the stream works whichever process runs the job; progress updates
 * closer together than that interval arrive as one event with the latest values.
 *
 * <p>A stream silent for {@code l0.api.events-heartbeat-interval} sends a comment: a client that has gone is
 * only noticed when a write fails, and a queued job may write nothing for hours. A failed write, a timeout,
 * an error or the end of the stream stops its polling at once.
 */
@ConditionalOnRole({Role.ALL, Role.API})
@Component
class JobEventStreams implements DisposableBean {

    private final JobService jobs;
    private final ApiProperties properties;
    private final Set<Watch> open = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService scheduler = Executors.newScheduledThreadPool(1, r -> {
        Thread thread = new Thread(r, "l0-job-events");
        thread.setDaemon(true);
        return thread;
    });

    JobEventStreams(JobService jobs, ApiProperties properties) {
        this.jobs = jobs;
        this.properties = properties;
    }

    SseEmitter open(Job job) {
        SseEmitter emitter = new SseEmitter(properties.eventsTimeout().toMillis());
        Watch watch = new Watch(job.id(), emitter);
        if (!watch.send(job)) {
            return emitter;
        }
        if (job.state().isFinal()) {
            emitter.complete();
            return emitter;
        }
        open.add(watch);
        emitter.onCompletion(watch::stop);
        emitter.onTimeout(watch::stop);
        emitter.onError(e -> watch.stop());
        long period = properties.eventsPollInterval().toMillis();
        watch.start(scheduler.scheduleWithFixedDelay(watch::poll, period, period, TimeUnit.MILLISECONDS));
        return emitter;
    }

    /** Streams still polling their job. */
    int openStreams() {
        return open.size();
    }

    @Override
    public void destroy() {
        scheduler.shutdownNow();
    }

    /** The last state and progress sent on one stream. */
    private final class Watch {
        private final String jobId;
        private final SseEmitter emitter;
        private final AtomicReference<ScheduledFuture<?>> task = new AtomicReference<>();
        private volatile boolean stopped;
        private long eventId;
        private String lastState;
        private String lastProgress;
        private long lastWriteNanos = System.nanoTime();

        Watch(String jobId, SseEmitter emitter) {
            this.jobId = jobId;
            this.emitter = emitter;
        }

        void start(ScheduledFuture<?> polling) {
            task.set(polling);
            if (stopped) {
                // the stream ended before its polling was scheduled
                polling.cancel(false);
            }
        }

        void poll() {
            try {
                Optional<Job> job = jobs.find(jobId);
                if (job.isEmpty()) {
                    stop();
                    emitter.complete();
                    return;
                }
                if (!send(job.get())) {
                    return;
                }
                if (job.get().state().isFinal()) {
                    stop();
                    emitter.complete();
                    return;
                }
                if (System.nanoTime() - lastWriteNanos >= properties.eventsHeartbeatInterval().toNanos()) {
                    write(SseEmitter.event().comment("heartbeat"));
                }
            } catch (RuntimeException e) {
                stop();
                emitter.completeWithError(e);
            }
        }

        /** Sends what changed since the last call; false when the client has gone. */
        synchronized boolean send(Job job) {
            if (!Objects.equals(job.progressJson(), lastProgress) && job.progressJson() != null) {
                lastProgress = job.progressJson();
                if (!write(SseEmitter.event().id(Long.toString(++eventId)).name("progress")
                        .data(JobResponse.Progress.of(job.progress().orElseThrow()), MediaType.APPLICATION_JSON))) {
                    return false;
                }
            }
            if (!job.state().name().equals(lastState)) {
                lastState = job.state().name();
                return write(SseEmitter.event().id(Long.toString(++eventId)).name("state")
                        .data(JobResponse.of(job), MediaType.APPLICATION_JSON));
            }
            return true;
        }

        /**
         * Writes one event; false when the client has gone. The container then ends the request itself (its
         * error callback runs {@link #stop}), so the emitter is not completed here.
         */
        private synchronized boolean write(SseEmitter.SseEventBuilder event) {
            try {
                emitter.send(event);
                lastWriteNanos = System.nanoTime();
                return true;
            } catch (IOException | IllegalStateException e) {
                stop();
                return false;
            }
        }

        private void stop() {
            stopped = true;
            open.remove(this);
            ScheduledFuture<?> t = task.get();
            if (t != null) {
                t.cancel(false);
            }
        }
    }
}
