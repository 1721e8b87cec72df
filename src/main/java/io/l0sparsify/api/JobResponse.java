package io.l0sparsify.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.l0sparsify.job.Job;
import io.l0sparsify.job.JobAttempt;
import io.l0sparsify.job.JobError;
import io.l0sparsify.job.JobJson;
import io.l0sparsify.job.JobProgress;
import io.l0sparsify.job.JobState;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/** A job as the contract shows it (schema {@code Job} in openapi.yaml). */
@JsonInclude(JsonInclude.Include.NON_NULL)
record JobResponse(
        String id,
        String name,
        String owner,
        JobState state,
        Instant createdAt,
        Instant updatedAt,
        Instant startedAt,
        Instant finishedAt,
        int attempt,
        String maxRuntime,
        String worker,
        boolean cancelRequested,
        boolean stopRequested,
        Boolean stoppedEarly,
        Integer epochsCompleted,
        List<Attempt> attempts,
        Progress progress,
        JobError error,
        JsonNode model,
        JsonNode dataset,
        JsonNode training,
        JsonNode sweep,
        JsonNode select,
        Map<String, String> links) {

    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Progress(int epoch, int epochs, long step, double fraction, double trainLoss, Double testError,
            double expectedL0, List<Integer> keptUnits, double examplesPerSecond, double elapsedSeconds,
            String eta, JobProgress.Budget budget, JobProgress.SweepPoint sweep) {

        static Progress of(JobProgress p) {
            String eta = p.etaSeconds() == null ? null
                    : Duration.ofMillis(Math.round(p.etaSeconds() * 1000)).withNanos(0).toString();
            return new Progress(p.epoch(), p.epochs(), p.step(), p.fraction(), p.trainLoss(), p.testError(),
                    p.expectedL0(), p.keptUnits(), p.examplesPerSecond(), p.elapsedSeconds(), eta, p.budget(),
                    p.sweep());
        }
    }

    /**
     * One claim of the job by a worker (schema {@code Attempt}).
     *
     * @param resumedAfterEpoch epochs already done (from the checkpoint) when it started; 0: from scratch
     * @param device where the worker placed it
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Attempt(int attempt, String worker, Instant startedAt, Integer resumedAfterEpoch, String device) {

        static Attempt of(JobAttempt a) {
            return new Attempt(a.attempt(), a.workerId(), a.startedAt(), a.resumedAfterEpoch(), a.device());
        }
    }

    /** A job as lists and streams show it: without its attempt history (one more query per job). */
    static JobResponse of(Job job) {
        return of(job, null);
    }

    static JobResponse of(Job job, List<JobAttempt> attempts) {
        JsonNode definition = JobJson.MAPPER.readTree(job.definitionJson());
        String base = "/v1/jobs/" + job.id();
        Map<String, String> links = new LinkedHashMap<>();
        links.put("self", base);
        links.put("events", base + "/events");
        links.put("cancel", base + "/cancel");
        links.put("stop", base + "/stop");
        links.put("result", base + "/result");
        links.put("artifacts", base + "/artifacts");
        boolean finished = job.state().isFinal();
        return new JobResponse(job.id(), job.name(), job.owner(), job.state(), job.createdAt(), job.updatedAt(), job.startedAt(),
                job.finishedAt(), job.attempt(), job.maxRuntime().toString(),
                job.state() == JobState.RUNNING ? job.workerId() : null,
                job.cancelRequested() && !finished, job.stopRequested() && !finished,
                job.state() == JobState.SUCCEEDED ? job.stoppedEarly() : null, job.epochsCompleted(),
                attempts == null ? null : attempts.stream().map(Attempt::of).toList(),
                job.progress().map(Progress::of).orElse(null), job.error().orElse(null),
                definition.get("model"), definition.get("dataset"), definition.get("training"),
                definition.get("sweep"), definition.get("select"), links);
    }
}
