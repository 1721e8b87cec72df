package io.l0sparsify.job;

import io.l0sparsify.security.Caller;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.mock;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;

import io.l0sparsify.dataset.DatasetCatalog;
import io.l0sparsify.dataset.DatasetEntry;
import io.l0sparsify.dataset.DatasetProperties;
import io.l0sparsify.dataset.DatasetResolver;
import io.l0sparsify.dataset.DatasetState;
import io.l0sparsify.dataset.InputShape;
import io.l0sparsify.dataset.TestDatasets;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.context.ApplicationEventPublisher;

/** What submit checks of a job's dataset before it queues the job: each refusal names its member. */
class JobServiceDatasetTest {

    private static final JobLimits LIMITS = new JobLimits(null, null, null, null, null, null, null, null);
    /** The owner of the catalog's datasets. */
    private static final Caller ALICE = new Caller("alice", false);
    private static final String CONV_1_28 = "{\"inputShape\": [1, 28, 28], \"layers\": [{\"type\": \"conv2d\","
            + " \"filters\": 2, \"kernel\": 3}, {\"type\": \"flatten\"}, {\"type\": \"dense\", \"units\": 10}]}";

    private JobStore store;
    private JobService service;
    private Path allowed;

    @BeforeEach
    void setUp() throws Exception {
        Path datasets = TestDatasets.withMnist();
        allowed = Files.createDirectories(datasets.getParent().resolve("allowed"));
        Files.writeString(allowed.resolve("table.csv"), "x,y\n1,0\n");
        Map<String, DatasetEntry> entries = Map.of(
                "cifar", new DatasetEntry("cifar", DatasetState.READY, "c".repeat(64), InputShape.image(3, 32, 32),
                        List.of("0", "1", "2"), true, null, "alice"),
                "wide", new DatasetEntry("wide", DatasetState.READY, "d".repeat(64), InputShape.image(1, 28, 28),
                        List.of("0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11"), false, null, "alice"),
                "busy", new DatasetEntry("busy", DatasetState.INGESTING, null, null, List.of(), false, null, "alice"));
        DatasetCatalog catalog = new DatasetCatalog() {
            @Override
            public Optional<DatasetEntry> find(String id) {
                return Optional.ofNullable(entries.get(id));
            }

            @Override
            public InputStream openCanonical(String id) {
                throw new AssertionError("submit reads no examples");
            }
        };
        DatasetProperties properties = new DatasetProperties(datasets, List.of(allowed), 0, 0, null, null, null,
                null, null, List.of("data.example.org"), null, null);
        store = mock(JobStore.class);
        service = new JobService(store, new DatasetResolver(properties, Optional.of(catalog), false),
                mock(JobControls.class), mock(ApplicationEventPublisher.class));
    }

    private List<FieldError> refusal(String model, String dataset) {
        // rules a schema cannot state are found when the request is bound, the rest when it is submitted
        List<FieldError> errors = catchThrowableOfType(JobValidationException.class,
                () -> service.submit(JobDefinitionJson.parse(JobJson.MAPPER.readTree("{\"model\": " + model
                        + ", \"dataset\": " + dataset + "}"), LIMITS), null, ALICE)).errors();
        verify(store, never()).insert(any(), any(), any());
        return errors;
    }

    @Test
    void aModelOfAnotherShapeThanTheDatasetIsRefusedNamingBoth() {
        assertThat(refusal(CONV_1_28, "{\"uri\": \"dataset:cifar\"}")).containsExactly(new FieldError(
                "model.inputShape", "the model takes [1, 28, 28] (model.inputShape) but dataset:cifar has examples"
                        + " of shape [3, 32, 32] (dataset shape) (use inputShape [3, 32, 32], or [3072] for a dense"
                        + " network)"));
    }

    @Test
    void moreClassesThanLogitsAreRefused() {
        assertThat(refusal(CONV_1_28, "{\"uri\": \"dataset:wide\"}")).containsExactly(new FieldError(
                "model.layers", "the model's last layer gives 10 logits but dataset:wide has 12 classes"));
    }

    @Test
    void aTestFractionForADatasetWithItsOwnSplitIsRefused() {
        assertThat(refusal(CONV_1_28, "{\"uri\": \"builtin:mnist\", \"testFraction\": 0.1}"))
                .extracting(FieldError::field).containsExactly("dataset.testFraction");
    }

    @Test
    void eachMemberAtFaultIsNamed() {
        assertThat(refusal(CONV_1_28, "{\"uri\": \"dataset:busy\"}")).extracting(FieldError::field)
                .containsExactly("dataset.uri");
        assertThat(refusal(CONV_1_28, "{\"uri\": \"file:" + allowed.resolve("table.csv") + "\"}"))
                .extracting(FieldError::field).containsExactly("dataset.format.labelColumn");
        assertThat(refusal(CONV_1_28, "{\"uri\": \"s3://bucket/a.npz\"}")).singleElement()
                .satisfies(e -> assertThat(e.message()).contains("no S3 client"));
        assertThat(refusal(CONV_1_28, "{\"uri\": \"https://elsewhere.org/a.npz\", \"sha256\": \"" + "e".repeat(64)
                + "\"}")).singleElement().satisfies(e -> assertThat(e.message())
                .startsWith("the host elsewhere.org is not allowed"));
        assertThat(refusal(CONV_1_28, "{\"uri\": \"dataset:cifar\", \"sha256\": \"" + "e".repeat(64) + "\","
                + " \"format\": {\"format\": \"npz\"}}")).extracting(FieldError::field)
                .containsExactly("dataset.sha256", "dataset.format");
    }

    @Test
    void aFetchedFileIsCheckedOnlyForSyntaxAndAllowListAtSubmit() {
        JobDefinition definition = JobDefinitionJson.parse(JobJson.MAPPER.readTree("{\"model\": " + CONV_1_28
                + ", \"dataset\": {\"uri\": \"https://data.example.org/sets/d.npz\", \"sha256\": \""
                + "f".repeat(64) + "\", \"testFraction\": 0.3}}"), LIMITS);
        when(store.insert(any(), any(), any())).thenReturn(mock(Job.class));
        service.submit(definition, null, ALICE);
        verify(store).insert(definition, null, "alice");
    }
}
