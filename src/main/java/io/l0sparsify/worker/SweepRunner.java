package io.l0sparsify.worker;

import io.l0sparsify.ConditionalOnRole;
import io.l0sparsify.Role;
import io.l0sparsify.dataset.DatasetFormatException;
import io.l0sparsify.job.Job;
import io.l0sparsify.job.JobError;
import io.l0sparsify.job.SweepPlan;
import io.l0sparsify.l0.RunListener;
import io.l0sparsify.l0.TrainingAbortedException;
import io.l0sparsify.l0.TrainingCheckpoint;
import io.l0sparsify.l0.TrainingControl;
import io.l0sparsify.l0.TrainingOptions;
import io.l0sparsify.l0.TrainingProgress;
import io.l0sparsify.l0.TrainingResult;
import io.l0sparsify.storage.ArtifactStore;
import java.io.IOException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * Runs a sweep job ({@link SweepPlan}): one training per target, densest first, each warm-started from the
 * network the previous point delivered (weights and log α after its budget guarantee closed groups and fine-tuned;
 * the optimizer and the budget's multipliers start afresh), each published as a complete run under its own names
 * ({@link PointArtifactStore}); then the Pareto report and the selected point as the job's main model
 * ({@link #finish}).
 *
 * <p>The delivered network, not the last training checkpoint: training's own iterate can be far over the budget
 * (a 7-epoch LeNet-5-Caffe point ended training at 0.66 of the FLOPs for a budget of 0.5), and the next point
 * would first have to cut down again what the guarantee had already cut and fine-tuned.
 *
 * <p>Resuming: a point counts as done once its result.json is stored, so a rerun skips those points. The point
 * in progress saves its epoch checkpoints under its own key ({@link #checkpointKey}, which records the point's
 * index); once the point is published its key holds the delivered network instead, and it is kept until the
 * sweep ends because it is the warm start of the point after it. Should the worker stop between the two, the
 * next point starts from the last training checkpoint.
 *
 * <p>The job's {@code maxRuntime} bounds the attempt as a whole: each point gets what the earlier ones left.
 *
 * <p>Stop ends the current point early (it is exported like any early-stopped run) and then the sweep, reporting
 * the points done; cancel abandons the whole job.
 */
@ConditionalOnRole({Role.ALL, Role.WORKER})
@Component
class SweepRunner {

    private static final Logger log = LoggerFactory.getLogger(SweepRunner.class);
    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private final Training training;
    private final ArtifactStore artifacts;
    private final JobCheckpoints checkpoints;
    private final WorkerProperties properties;
    private final Clock clock;

    SweepRunner(Training training, ArtifactStore artifacts, JobCheckpoints checkpoints, WorkerProperties properties,
            Clock clock) {
        this.training = training;
        this.artifacts = artifacts;
        this.checkpoints = checkpoints;
        this.properties = properties;
        this.clock = clock;
    }

    /** Where point {@code index} of job {@code jobId} keeps its checkpoints: the index is part of the key. */
    static String checkpointKey(String jobId, int index) {
        return jobId + "-point-" + index;
    }

    /** Runs every point not yet exported, then the report; returns how the sweep ended. */
    RunOutcome run(Job job, RunInputs.Prepared run, JobRunListener listener, LeaseHeartbeat.Lease lease) {
        SweepPlan plan = job.definition().sweep();
        String id = job.id();
        int first;
        try {
            first = pointsDone(id, plan);
        } catch (IOException e) {
            return RunOutcome.failed(JobError.EXPORT_FAILED, "the sweep's earlier points could not be read: "
                    + RunOutcomes.describe(e));
        }
        if (first > 0) {
            log.info("job {}: sweep resumes at point {} of {}", id, first, plan.points());
        }
        // maxRuntime bounds the attempt, as it bounds a single run's: the points share it
        Instant sweepStart = clock.instant();
        Duration maxRuntime = run.config().maxRuntime();
        boolean stopped = false;
        int completed = first;
        for (int i = first; i < plan.points() && !stopped; i++) {
            if (i > first || first > 0) {
                // A stop or cancel that arrived while the previous point was exported: not a point of 0 steps.
                switch (listener.control()) {
                    case CONTINUE -> {}
                    case STOP_EARLY -> stopped = true;
                    case CANCEL -> {
                        return abandoned(id, plan, listener);
                    }
                }
                if (stopped) {
                    break;
                }
            }
            int index = i;
            TrainingOptions.Builder options = run.config().toBuilder().optTarget(plan.target(i));
            if (maxRuntime != null) {
                Duration left = maxRuntime.minus(Duration.between(sweepStart, clock.instant()));
                if (left.isNegative() || left.isZero()) {
                    deleteCheckpoints(id, plan);
                    return RunOutcome.failed(JobError.MAX_RUNTIME_EXCEEDED, "the sweep ran longer than its maxRuntime"
                            + " of " + maxRuntime + " before point " + i + " of " + plan.points());
                }
                options.optMaxRuntime(left);
            }
            TrainingOptions config = options.build();
            TrainingCheckpoint start = checkpoints.latest(checkpointKey(id, i))
                    .orElseGet(() -> index == 0 ? null : warmStart(id, index, config));
            listener.sweepPoint(i, plan.points());
            PointListener pointListener = new PointListener(listener, checkpointKey(id, i));
            TrainingResult result;
            try {
                log.info("job {}: sweep point {} of {}: {} target {}{}", id, i, plan.points(), plan.metric().field(),
                        plan.targets().get(i), start == null ? "" : start.epochsCompleted() > 0
                                ? ", resumed after epoch " + start.epochsCompleted() : ", warm-started");
                // the first point of a fine-tuning starts from the upload; later points from the previous point
                result = training.train(job.definition().model(), config, run.data(), pointListener, start,
                        index == 0 ? run.start() : List.of());
            } catch (TrainingAbortedException e) {
                RunOutcome outcome = JobRunner.aborted(e, listener);
                if (outcome instanceof RunOutcome.Cancelled || outcome instanceof RunOutcome.Failed) {
                    deleteCheckpoints(id, plan);
                }
                return outcome;
            } catch (DatasetFormatException e) {
                deleteCheckpoints(id, plan);
                return RunOutcome.failed(JobError.DATASET_UNAVAILABLE, e.getMessage());
            } catch (RuntimeException e) {
                log.error("job {}: sweep point {} failed", id, i, e);
                deleteCheckpoints(id, plan);
                return RunOutcome.failed(JobError.TRAINING_FAILED, "training failed at sweep point " + i + ": "
                        + RunOutcomes.describe(e));
            }
            if (lease.lost()) {
                return new RunOutcome.LeaseLost();
            }
            try {
                new ArtifactPublisher(new PointArtifactStore(artifacts, plan, i), properties)
                        .publish(job, run, result, lease);
            } catch (IOException | RuntimeException e) {
                log.error("job {}: export of sweep point {} failed", id, i, e);
                deleteCheckpoints(id, plan);
                return RunOutcome.failed(JobError.EXPORT_FAILED, "export of sweep point " + i + " failed: "
                        + RunOutcomes.describe(e));
            }
            if (lease.lost()) {
                return new RunOutcome.LeaseLost();
            }
            completed = i + 1;
            stopped = result.stoppedEarly();
            if (!stopped && i + 1 < plan.points() && result.delivered() != null) {
                checkpoints.save(checkpointKey(id, i), result.delivered());
            }
            if (i > 0) {
                // point i's own checkpoint now holds the next point's warm start
                checkpoints.delete(checkpointKey(id, i - 1));
            }
        }
        try {
            RunOutcome outcome = finish(job, plan, completed, stopped, lease);
            deleteCheckpoints(id, plan);
            return outcome;
        } catch (IOException | RuntimeException e) {
            log.error("job {}: sweep report failed", id, e);
            deleteCheckpoints(id, plan);
            return RunOutcome.failed(JobError.EXPORT_FAILED, "the sweep's report failed: " + RunOutcomes.describe(e));
        }
    }

    /** Points 0.. whose result.json is stored: an earlier attempt finished them. */
    private int pointsDone(String id, SweepPlan plan) throws IOException {
        int done = 0;
        while (done < plan.points()
                && artifacts.info(id, SweepArtifacts.ofPoint(done, JobArtifacts.RESULT)).isPresent()) {
            done++;
        }
        return done;
    }

    /**
     * The start of a point after the first: the network the previous point delivered, or, when the worker
     * stopped before that was saved, its last training checkpoint's parameters as an epoch-0 checkpoint (with a
     * moving average, the averaged values, which that point evaluated). Adam's moments and the multipliers are
     * left out, so the new budget is approached from a fresh optimizer state. Empty when the previous point's
     * checkpoint is missing: the point then starts from scratch.
     */
    private TrainingCheckpoint warmStart(String id, int index, TrainingOptions config) {
        Optional<TrainingCheckpoint> last = checkpoints.latest(checkpointKey(id, index - 1));
        if (last.isEmpty()) {
            log.warn("job {}: sweep point {} has no checkpoint to warm-start from; it starts afresh", id, index);
            return null;
        }
        return warmStart(last.get(), config.emaDecay());
    }

    /** The epoch-0 checkpoint that starts a run from {@code last}'s evaluated parameters. */
    static TrainingCheckpoint warmStart(TrainingCheckpoint last, double emaDecay) {
        List<float[]> values = last.parameters();
        TrainingCheckpoint.Average average = last.average();
        // the average covers the trained parameters, which come first; batch normalization's running statistics
        // follow them in the checkpoint and are taken as they are, as evaluation uses them
        if (emaDecay > 0 && average.updates() > 0 && average.shadows().size() <= values.size()) {
            // the bias-corrected average, as ParameterAverage evaluates it
            float correction = (float) (1 - Math.pow(emaDecay, average.updates()));
            List<float[]> averaged = new ArrayList<>(values.size());
            for (float[] shadow : average.shadows()) {
                float[] v = new float[shadow.length];
                for (int k = 0; k < v.length; k++) {
                    v[k] = shadow[k] / correction;
                }
                averaged.add(v);
            }
            averaged.addAll(values.subList(average.shadows().size(), values.size()));
            values = averaged;
        }
        return TrainingCheckpoint.startingFrom(values);
    }

    /**
     * Writes the report of the points done and the selected point's artifacts as the job's own, result.json last
     * (its presence means the set is complete).
     */
    private RunOutcome finish(Job job, SweepPlan plan, int completed, boolean stopped, LeaseHeartbeat.Lease lease)
            throws IOException {
        String id = job.id();
        List<ParetoReport.Point> points = new ArrayList<>();
        List<JsonNode> results = new ArrayList<>();
        for (int i = 0; i < completed; i++) {
            byte[] bytes = artifacts.read(id, SweepArtifacts.ofPoint(i, JobArtifacts.RESULT))
                    .orElseThrow(() -> new IllegalStateException("a finished sweep point's result.json is missing"));
            JsonNode result = MAPPER.readTree(bytes);
            results.add(result);
            points.add(ParetoReport.Point.of(i, plan.targets().get(i), result));
        }
        ParetoReport report = ParetoReport.of(plan, points);
        int s = report.selected();
        JsonNode selected = results.get(s);
        if (lease.lost()) {
            return new RunOutcome.LeaseLost();
        }
        artifacts.put(id, SweepArtifacts.PARETO_JSON, report.json(id));
        artifacts.put(id, SweepArtifacts.PARETO_CSV, report.csv());
        artifacts.put(id, SweepArtifacts.PARETO_SVG, report.svg());
        String prefix = SweepArtifacts.prefix(s);
        for (String name : SweepArtifacts.linkedNames(selected)) {
            String own = name.substring(prefix.length());
            if (!own.equals(JobArtifacts.RESULT)) {
                artifacts.put(id, own, artifacts.read(id, name).orElseThrow(
                        () -> new IllegalStateException("sweep point " + s + " lacks its artifact " + name)));
            }
        }
        artifacts.put(id, JobArtifacts.RESULT, SweepArtifacts.jobResult(id,
                MAPPER.writeValueAsBytes(selected), plan, s, completed, report.selection()));
        log.info("job {}: sweep of {} points done, point {} selected ({})", id, completed, s, report.selection());
        return new RunOutcome.SweepSucceeded(stopped || completed < plan.points(),
                selected.path("epochsCompleted").asInt(), selected.path("architecture").asString());
    }

    private RunOutcome abandoned(String id, SweepPlan plan, JobRunListener listener) {
        AbandonReason reason = listener.abandonReason().orElseThrow(
                () -> new IllegalStateException("the listener answered CANCEL without recording why"));
        if (reason == AbandonReason.USER_CANCEL) {
            deleteCheckpoints(id, plan);
        }
        return RunOutcome.abandoned(reason);
    }

    private void deleteCheckpoints(String id, SweepPlan plan) {
        for (int i = 0; i < plan.points(); i++) {
            checkpoints.delete(checkpointKey(id, i));
        }
    }

    /** The job's listener for one point, its checkpoints saved under the point's key. */
    private final class PointListener implements RunListener {

        private final JobRunListener job;
        private final String key;

        PointListener(JobRunListener job, String key) {
            this.job = job;
            this.key = key;
        }

        @Override
        public void onProgress(TrainingProgress progress) {
            job.onProgress(progress);
        }

        @Override
        public TrainingControl control() {
            return job.control();
        }

        @Override
        public void onCheckpoint(TrainingCheckpoint checkpoint) {
            checkpoints.save(key, checkpoint);
        }
    }
}
