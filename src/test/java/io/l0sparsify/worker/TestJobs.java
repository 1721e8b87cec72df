package io.l0sparsify.worker;

import io.l0sparsify.security.Caller;
import io.l0sparsify.job.Job;
import io.l0sparsify.job.JobDefinition;
import io.l0sparsify.job.JobDefinitionJson;
import io.l0sparsify.job.JobJson;
import io.l0sparsify.job.JobLimits;
import io.l0sparsify.job.JobService;
import io.l0sparsify.job.JobStore;
import io.l0sparsify.spec.LayerSpec;
import io.l0sparsify.spec.ModelSpec;
import io.l0sparsify.spec.SpecLimits;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;
import org.awaitility.Awaitility;

/** The small MLP job the worker tests submit, and waiting for a job to reach a condition. */
final class TestJobs {

    private TestJobs() {}

    /** A 784-8-10 MLP on builtin:mnist with the given {@code "training"} object. */
    static Job submit(JobService jobs, String training) {
        JobDefinition definition = JobDefinitionJson.parse(JobJson.MAPPER.readTree("""
                {"model": {"inputShape": [784], "layers": [{"type": "dense", "units": 8}, {"type": "relu"},
                 {"type": "dense", "units": 10}]}, "dataset": {"uri": "builtin:mnist"}, "training": %s}"""
                .formatted(training)), new JobLimits(null, null, null, null, null, null, null, null));
        return jobs.submit(definition, null, Caller.LOCAL).job();
    }

    /**
     * A job that fine-tunes the uploaded model {@code uri}, accepted as a 784-8-10 MLP: submission's check that the
     * model exists is answered here, so the worker finds whatever its own model store holds.
     */
    static Job submitFineTuning(JobService jobs, String uri) {
        ModelSpec accepted = ModelSpec.of(List.of(784), List.of(new LayerSpec.Dense(8), new LayerSpec.Relu(),
                new LayerSpec.Dense(10)), SpecLimits.UNBOUNDED);
        JobDefinition definition = JobDefinitionJson.parse(JobJson.MAPPER.readTree("""
                {"model": {"uri": "%s"}, "dataset": {"uri": "builtin:mnist"},
                 "training": {"epochs": 1, "device": "cpu"}}""".formatted(uri)),
                new JobLimits(null, null, null, null, null, null, null, null),
                (reference, limits) -> reference.equals(uri) ? Optional.of(accepted) : Optional.empty());
        return jobs.submit(definition, null, Caller.LOCAL).job();
    }

    /** The job once it meets {@code condition}, read every 50 ms; fails with its last state after {@code timeout}. */
    static Job await(JobStore store, String id, Predicate<Job> condition, Duration timeout) {
        return Awaitility.await("job " + id + " to reach the expected condition").atMost(timeout)
                .pollInterval(Duration.ofMillis(50)).until(() -> store.find(id).orElseThrow(), condition);
    }
}
