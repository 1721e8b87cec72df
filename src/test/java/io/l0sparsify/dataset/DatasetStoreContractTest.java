package io.l0sparsify.dataset;

import static org.assertj.core.api.Assertions.assertThat;

import io.l0sparsify.SettableClock;
import io.l0sparsify.job.JobDefinition;
import io.l0sparsify.job.JobStore;
import io.l0sparsify.l0.TrainingOptions;
import io.l0sparsify.spec.Presets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.context.annotation.Import;
import org.springframework.jdbc.core.simple.JdbcClient;

/**
 * What the dataset table must guarantee on every supported database: subclasses bind it to H2 and PostgreSQL.
 * The migrations run for real (Flyway); time passes on a {@link SettableClock}.
 */
@Import(SettableClock.InContext.class)
abstract class DatasetStoreContractTest {

    private static final String SHA = "a".repeat(64);

    @Autowired
    DatasetStore store;

    @Autowired
    JobStore jobs;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    SettableClock clock;

    @BeforeEach
    void emptyTables() {
        jdbc.sql("delete from job").update();
        jdbc.sql("delete from dataset").update();
    }

    private static DatasetSummary summary() {
        return new DatasetSummary(List.of(new DatasetSummary.Split("train", 3), new DatasetSummary.Split("test", 1)),
                List.of(3, 32, 32), "uint8",
                List.of(new DatasetSummary.ClassInfo(0, "cat", counts(2, 1)),
                        new DatasetSummary.ClassInfo(1, "dog", counts(1, 0))),
                new DatasetSummary.Statistics("train", List.of(0.5, 0.4, 0.3), List.of(0.25, 0.2, 0.1)));
    }

    /** Counts per split in the splits' order, which must survive the round trip. */
    private static Map<String, Long> counts(long train, long test) {
        Map<String, Long> counts = new LinkedHashMap<>();
        counts.put("train", train);
        counts.put("test", test);
        return counts;
    }

    @Test
    void anInsertedUploadIsIngestingAndReadsBackItsFormatAndDigest() {
        Dataset inserted = store.insert("pictures", new DatasetFormat.ImageFolder(32, 24, DatasetFormat.Colour.RGB),
                SHA, 1234, "alice");
        Dataset read = store.find(inserted.id()).orElseThrow();
        assertThat(read.state()).isEqualTo(DatasetState.INGESTING);
        assertThat(read.format()).isEqualTo("image-folder");
        assertThat(read.formatOptions()).isEqualTo(new DatasetFormat.ImageFolder(32, 24, DatasetFormat.Colour.RGB));
        assertThat(read.uploadSha256()).isEqualTo(SHA);
        assertThat(read.uploadSize()).isEqualTo(1234);
        assertThat(read.summary()).isEmpty();
        assertThat(read.createdAt()).as("timestamps read back exactly as written").isEqualTo(inserted.createdAt());
        assertThat(store.find("no-such-dataset")).isEmpty();
    }

    @Test
    void readyKeepsTheStoredDigestAndSummaryAndIsFinal() {
        Dataset d = store.insert("cifar", new DatasetFormat.Cifar("coarse"), SHA, 10, "alice");
        assertThat(store.markReady(d.id(), "b".repeat(64), 99, summary())).isTrue();
        Dataset read = store.find(d.id()).orElseThrow();
        assertThat(read.state()).isEqualTo(DatasetState.READY);
        assertThat(read.canonicalSha256()).isEqualTo("b".repeat(64));
        assertThat(read.canonicalSize()).isEqualTo(99);
        assertThat(read.summary()).contains(summary());
        assertThat(read.summary().orElseThrow().classes().get(0).counts().keySet()).containsExactly("train", "test");
        assertThat(store.markFailed(d.id(), "late")).as("a READY dataset does not become FAILED").isFalse();
        assertThat(store.markReady(d.id(), "c".repeat(64), 1, summary())).isFalse();
    }

    @Test
    void failedKeepsItsReasonBoundedAndIsFinal() {
        Dataset d = store.insert("table", new DatasetFormat.Csv("label"), SHA, 10, "alice");
        assertThat(store.markFailed(d.id(), "x".repeat(5000))).isTrue();
        Dataset read = store.find(d.id()).orElseThrow();
        assertThat(read.state()).isEqualTo(DatasetState.FAILED);
        assertThat(read.failureReason()).hasSize(DatasetStore.MAX_REASON).endsWith("...");
        assertThat(store.markReady(d.id(), SHA, 1, summary())).isFalse();
    }

    @Test
    void anIngestionNotShownAliveEndsFailedAsInterrupted() {
        Dataset alive = store.insert("alive", new DatasetFormat.Idx(), SHA, 1, "alice");
        Dataset orphan = store.insert("orphan", new DatasetFormat.Idx(), SHA, 1, "alice");
        Dataset ready = store.insert("ready", new DatasetFormat.Idx(), SHA, 1, "alice");
        store.markReady(ready.id(), SHA, 1, summary());
        clock.advance(Duration.ofMinutes(3));
        store.touch(Set.of(alive.id()));
        assertThat(store.failStale(Duration.ofMinutes(2), "interrupted")).isEqualTo(1);
        assertThat(store.find(orphan.id()).orElseThrow().state()).isEqualTo(DatasetState.FAILED);
        assertThat(store.find(orphan.id()).orElseThrow().failureReason()).isEqualTo("interrupted");
        assertThat(store.find(alive.id()).orElseThrow().state()).isEqualTo(DatasetState.INGESTING);
        assertThat(store.find(ready.id()).orElseThrow().state()).isEqualTo(DatasetState.READY);
    }

    @Test
    void pagesAreNewestFirstAndFilterByState() {
        Dataset a = store.insert("a", new DatasetFormat.Npz(DatasetFormat.Layout.NCHW), SHA, 1, "alice");
        Dataset b = store.insert("b", new DatasetFormat.Npy(DatasetFormat.Layout.NHWC), SHA, 1, "alice");
        Dataset c = store.insert("c", new DatasetFormat.Idx(), SHA, 1, "alice");
        store.markFailed(b.id(), "bad");
        assertThat(store.page(null, Long.MAX_VALUE, 2)).extracting(Dataset::id).containsExactly(c.id(), b.id());
        assertThat(store.page(null, b.seq(), 2)).extracting(Dataset::id).containsExactly(a.id());
        assertThat(store.page(DatasetState.INGESTING, Long.MAX_VALUE, 10)).extracting(Dataset::id)
                .containsExactly(c.id(), a.id());
        assertThat(store.find(a.id()).orElseThrow().formatOptions())
                .isEqualTo(new DatasetFormat.Npz(DatasetFormat.Layout.NCHW));
    }

    @Test
    void deleteRemovesOneRow() {
        Dataset a = store.insert("a", new DatasetFormat.Idx(), SHA, 1, "alice");
        Dataset b = store.insert("b", new DatasetFormat.Idx(), SHA, 1, "alice");
        assertThat(store.delete(a.id())).isTrue();
        assertThat(store.delete(a.id())).isFalse();
        assertThat(store.find(a.id())).isEmpty();
        assertThat(store.find(b.id())).isPresent();
    }

    @Test
    void theJobsReadingADatasetAreFoundExactlyAndOnlyUntilTheyEnd() {
        Dataset d = store.insert("a", new DatasetFormat.Idx(), SHA, 1, "alice");
        TrainingOptions training = TrainingOptions.builder().optEpochs(1).optMaxRuntime(Duration.ofMinutes(5))
                .build();
        String queued = jobs.insert(new JobDefinition("q", "mlp", Presets.MLP, DatasetRef.of(d.uri()), training), null, "alice").id();
        String running = jobs.insert(new JobDefinition("r", "mlp", Presets.MLP, DatasetRef.of(d.uri()), training), null, "alice").id();
        String cancelled = jobs.insert(new JobDefinition("c", "mlp", Presets.MLP, DatasetRef.of(d.uri()), training), null, "alice").id();
        jobs.insert(new JobDefinition("prefix", "mlp", Presets.MLP, DatasetRef.of("dataset:" + d.id().substring(0, 20)), training),
                null, "alice");
        jobs.insert(new JobDefinition("builtin", "mlp", Presets.MLP, DatasetRef.of("builtin:mnist"), training), null, "alice");
        jobs.cancelQueued(cancelled);
        // claims the oldest: the queued one becomes RUNNING, so one of each is left
        assertThat(jobs.claimNext("w1", Duration.ofSeconds(30)).orElseThrow().id()).isEqualTo(queued);
        assertThat(jobs.unfinishedJobsUsingDataset(d.id())).containsExactly(queued, running);
        assertThat(jobs.unfinishedJobsUsingDataset("other")).isEmpty();
    }
}
