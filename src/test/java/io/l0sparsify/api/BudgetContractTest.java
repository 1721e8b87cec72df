package io.l0sparsify.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.l0sparsify.job.JobDefinitionJson;
import io.l0sparsify.job.JobJson;
import io.l0sparsify.job.JobProgress;
import io.l0sparsify.l0.SizeTarget;
import io.l0sparsify.l0.TrainingOptions;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The budget's parts of requests, jobs and progress as the contract states them. */
class BudgetContractTest {

    private static final OpenApiContract CONTRACT = OpenApiContract.instance();

    @Test
    void progressWithABudgetConformsAndCarriesIt() {
        JobProgress progress = new JobProgress(2, 10, 40, 0.2, 0.3, 0.1, 5000, List.of(300, 40), 900, 3.5, 14.0,
                new JobProgress.Budget("flops", 0.25, 0.6, 0.58, 0.71, 1.25, 0.03, 0.55, 0.5));
        String json = JobJson.MAPPER.writeValueAsString(JobResponse.Progress.of(progress));
        assertThat(CONTRACT.schemaViolations("Progress", json)).isEmpty();
        assertThat(json).contains("\"budget\":{\"metric\":\"flops\",\"target\":0.25,\"currentTarget\":0.6,"
                + "\"expected\":0.58,\"deterministic\":0.71,\"lambda1\":1.25,\"lambda2\":0.03,\"aim\":0.55,"
                + "\"gain\":0.5}");
        String inWarmup = JobJson.MAPPER.writeValueAsString(JobResponse.Progress.of(new JobProgress(1, 10, 20, 0.1,
                0.3, 0.1, 5000, List.of(300, 40), 900, 3.5, 14.0,
                new JobProgress.Budget("flops", 0.25, 0.6, 0.58, 0.71, 1.25, 0.03, 0.6, null))));
        assertThat(CONTRACT.schemaViolations("Progress", inWarmup)).isEmpty();
        assertThat(inWarmup).contains("\"aim\":0.6}");
        String without = JobJson.MAPPER.writeValueAsString(JobResponse.Progress.of(new JobProgress(2, 10, 40, 0.2,
                0.3, 0.1, 5000, List.of(300, 40), 900, 3.5, 14.0)));
        assertThat(CONTRACT.schemaViolations("Progress", without)).isEmpty();
        assertThat(without).doesNotContain("budget");
    }

    @Test
    void theStoredTrainingWithATargetAndRoundingConforms() {
        TrainingOptions options = TrainingOptions.builder().optEpochs(10).optMaxRuntime(java.time.Duration.ofHours(1))
                .optTarget(new SizeTarget(SizeTarget.Metric.PARAMETERS, 0.1, 4.0, 0.5, 2)).optRoundUnitsTo(8).build();
        String json = JobJson.MAPPER.writeValueAsString(JobDefinitionJson.writeTraining(options));
        assertThat(CONTRACT.schemaViolations("Training", json)).isEmpty();
        assertThat(json).contains("\"target\":{\"parameters\":0.1,\"warmupEpochs\":4.0,\"multiplierLearningRate\":0.5,"
                + "\"fineTuneEpochs\":2}").contains("\"roundUnitsTo\":8");
        assertThat(CONTRACT.schemaViolations("TrainingRequest", json)).isEmpty();
    }
}
