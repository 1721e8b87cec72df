package io.l0sparsify.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.l0sparsify.dataset.DatasetFetcher;
import io.l0sparsify.dataset.DatasetLoader;
import io.l0sparsify.dataset.DatasetProperties;
import io.l0sparsify.dataset.DatasetResolver;
import io.l0sparsify.dataset.InputShape;
import io.l0sparsify.dataset.Preprocessing;
import io.l0sparsify.dataset.TestDatasets;
import io.l0sparsify.dataset.TrainingData;
import io.l0sparsify.job.JobDefinition;
import io.l0sparsify.job.JobDefinitionJson;
import io.l0sparsify.job.JobError;
import io.l0sparsify.job.JobJson;
import io.l0sparsify.job.JobLimits;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/** A run's data from its definition: read, checked against the model again, split, capped, preprocessed. */
class JobDataLoaderTest {

    private Path datasets;
    private JobDataLoader loader;

    @BeforeEach
    void setUp() {
        datasets = TestDatasets.withMnist();
        DatasetProperties properties = new DatasetProperties(datasets, List.of(), 120, 40,
                datasets.getParent().resolve("cache"), null, null, null, null, null, null, null);
        DatasetResolver resolver = new DatasetResolver(properties);
        loader = new JobDataLoader(new DatasetLoader(resolver, properties, Optional.empty(),
                new DatasetFetcher(HttpClient.newHttpClient(), Optional.empty(), 1),
                (format, file, limits) -> {
                    throw new AssertionError("no file is read in these tests");
                }), properties);
    }

    private static JobDefinition job(String model, String dataset) {
        return JobDefinitionJson.parse(JobJson.MAPPER.readTree("{\"model\": " + model + ", \"dataset\": " + dataset
                + ", \"training\": {\"seed\": 5}}"), new JobLimits(null, null, null, null, null, null, null, null));
    }

    @Test
    void aBuiltinDatasetKeepsItsOwnSplitCappedAndScaled() throws Exception {
        JobDataLoader.PreparedData prepared = loader.trainingDataFor(job("{\"preset\": \"mlp\"}",
                "{\"uri\": \"builtin:mnist\"}"));

        TrainingData data = prepared.data();
        assertThat(data.shape()).isEqualTo(InputShape.image(1, 28, 28));
        assertThat(data.train().size()).isEqualTo(120);
        assertThat(data.test().size()).isEqualTo(40);
        assertThat(data.split()).isEqualTo(new TrainingData.SplitOrigin.FromFormat());
        assertThat(data.preprocessing()).isEqualTo(Preprocessing.scaleOnly(1 / 255.0, 1));
        assertThat(data.classNames()).hasSize(10);
        assertThat(prepared.sha256()).matches("[0-9a-f]{64}");

        JsonNode record = JobJson.MAPPER.valueToTree(ResultDocument.Dataset.of("builtin:mnist", prepared));
        assertThat(record.toString()).isEqualTo("{\"uri\":\"builtin:mnist\",\"sha256\":\"" + prepared.sha256()
                + "\",\"trainExamples\":120,\"testExamples\":40,\"split\":{\"origin\":\"format\","
                + "\"trainExamples\":120,\"testExamples\":40}}");
    }

    @Test
    void standardisationIsAskedOfTheReference() throws Exception {
        TrainingData data = loader.trainingDataFor(job("{\"preset\": \"mlp\"}",
                "{\"uri\": \"builtin:mnist\", \"standardize\": true}")).data();
        assertThat(data.preprocessing().standardises()).isTrue();
        assertThat(data.preprocessing().mean().get(0)).isBetween(0.05, 0.25);
    }

    @Test
    void aModelOfAnotherShapeFailsTheJobNamingBoth() {
        JobFailedException failed = catchThrowableOfType(JobFailedException.class, () -> loader.trainingDataFor(
                job("{\"inputShape\": [3, 28, 28], \"layers\": [{\"type\": \"flatten\"}, {\"type\": \"dense\","
                        + " \"units\": 10}]}", "{\"uri\": \"builtin:mnist\"}")));
        assertThat(failed.error().code()).isEqualTo(JobError.DATASET_MISMATCH);
        assertThat(failed.getMessage()).contains("takes [3, 28, 28] (model.inputShape)",
                "has examples of shape [1, 28, 28] (dataset shape)");
    }

    @Test
    void moreClassesThanLogitsFailTheJob() {
        JobFailedException failed = catchThrowableOfType(JobFailedException.class, () -> loader.trainingDataFor(
                job("{\"inputShape\": [784], \"layers\": [{\"type\": \"dense\", \"units\": 5}]}",
                        "{\"uri\": \"builtin:mnist\"}")));
        assertThat(failed.error().code()).isEqualTo(JobError.DATASET_MISMATCH);
        assertThat(failed.getMessage()).isEqualTo("the dataset has 10 classes but the model's last layer gives 5"
                + " logits");
    }

    @Test
    void aFileWhoseDigestIsNotTheJobsFailsTheJobNamingBoth() throws Exception {
        Path file = java.nio.file.Files.writeString(datasets.resolve("d.npz"), "not the meant bytes");
        String actual = java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                .digest(java.nio.file.Files.readAllBytes(file)));
        JobFailedException failed = catchThrowableOfType(JobFailedException.class, () -> loader.trainingDataFor(
                job("{\"preset\": \"mlp\"}", "{\"uri\": \"file:" + file + "\", \"sha256\": \"" + "9".repeat(64)
                        + "\"}")));
        assertThat(failed.error().code()).isEqualTo(JobError.DATASET_UNAVAILABLE);
        assertThat(failed.getMessage()).isEqualTo("file:" + file + ": the file has SHA-256 " + actual
                + " but the job expects " + "9".repeat(64) + " (dataset.sha256); the file changed or is not the one"
                + " meant");
    }

    @Test
    void aDatasetThatIsGoneFailsTheJobAsUnavailable() {
        JobFailedException failed = catchThrowableOfType(JobFailedException.class, () -> loader.trainingDataFor(
                job("{\"preset\": \"mlp\"}", "{\"uri\": \"builtin:fashion\"}")));
        assertThat(failed.error().code()).isEqualTo(JobError.DATASET_UNAVAILABLE);
        assertThat(failed.getMessage()).startsWith("builtin:fashion: unknown dataset 'builtin:fashion'");
    }
}
