package io.l0sparsify.api;

import io.l0sparsify.ConditionalOnRole;
import io.l0sparsify.Role;
import io.l0sparsify.job.Job;
import io.l0sparsify.job.JobService;
import java.io.IOException;
import java.util.Objects;
import java.util.Optional;
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
 */
@ConditionalOnRole({Role.ALL, Role.API})
@Component
class JobEventStreams implements DisposableBean {

    private final JobService jobs;
    private final ApiProperties properties;
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
        long period = properties.eventsPollInterval().toMillis();
        ScheduledFuture<?> task = scheduler.scheduleWithFixedDelay(watch::poll, period, period, TimeUnit.MILLISECONDS);
        watch.task.set(task);
        emitter.onCompletion(() -> task.cancel(false));
        emitter.onTimeout(() -> task.cancel(false));
        emitter.onError(e -> task.cancel(false));
        return emitter;
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
        private long eventId;
        private String lastState;
        private String lastProgress;

        Watch(String jobId, SseEmitter emitter) {
            this.jobId = jobId;
            this.emitter = emitter;
        }

        void poll() {
            try {
                Optional<Job> job = jobs.find(jobId);
                if (job.isEmpty()) {
                    stop();
                    emitter.complete();
                    return;
                }
                if (send(job.get()) && job.get().state().isFinal()) {
                    stop();
                    emitter.complete();
                }
            } catch (RuntimeException e) {
                stop();
                emitter.completeWithError(e);
            }
        }

        /** Sends what changed since the last call; false when the client has gone. */
        synchronized boolean send(Job job) {
            try {
                if (!Objects.equals(job.progressJson(), lastProgress) && job.progressJson() != null) {
                    lastProgress = job.progressJson();
                    emitter.send(SseEmitter.event().id(Long.toString(++eventId)).name("progress")
                            .data(JobResponse.Progress.of(job.progress().orElseThrow()), MediaType.APPLICATION_JSON));
                }
                if (!job.state().name().equals(lastState)) {
                    lastState = job.state().name();
                    emitter.send(SseEmitter.event().id(Long.toString(++eventId)).name("state")
                            .data(JobResponse.of(job), MediaType.APPLICATION_JSON));
                }
                return true;
            } catch (IOException | IllegalStateException e) {
                stop();
                return false;
            }
        }

        private void stop() {
            ScheduledFuture<?> t = task.get();
            if (t != null) {
                t.cancel(false);
            }
        }
    }
}
