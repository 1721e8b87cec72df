package io.l0sparsify.worker;

import io.l0sparsify.job.SweepPlan;
import io.l0sparsify.storage.ArtifactInfo;
import io.l0sparsify.storage.ArtifactStore;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;

/**
 * The job's artifact store as one sweep point sees it: every name gets the point's prefix
 * ({@link SweepArtifacts#prefix}), and the point's result.json is rewritten to link to the point's own files and to
 * say which point it is. Lets {@link ArtifactPublisher} publish a point exactly as it publishes a single run.
 */
final class PointArtifactStore implements ArtifactStore {

    private final ArtifactStore store;
    private final SweepPlan plan;
    private final int index;

    PointArtifactStore(ArtifactStore store, SweepPlan plan, int index) {
        this.store = store;
        this.plan = plan;
        this.index = index;
    }

    @Override
    public ArtifactInfo put(String jobId, String name, byte[] content) throws IOException {
        byte[] stored = name.equals(JobArtifacts.RESULT) ? SweepArtifacts.pointResult(jobId, content, plan, index)
                : content;
        return store.put(jobId, SweepArtifacts.ofPoint(index, name), stored);
    }

    @Override
    public List<ArtifactInfo> list(String jobId) throws IOException {
        String prefix = SweepArtifacts.prefix(index);
        return store.list(jobId).stream().filter(info -> info.name().startsWith(prefix)).toList();
    }

    @Override
    public Optional<ArtifactInfo> info(String jobId, String name) throws IOException {
        return store.info(jobId, SweepArtifacts.ofPoint(index, name));
    }

    @Override
    public Optional<InputStream> open(String jobId, String name) throws IOException {
        return store.open(jobId, SweepArtifacts.ofPoint(index, name));
    }

    /** A point's artifacts are part of the job's set, which only the job's own outcome discards. */
    @Override
    public void deleteAll(String jobId) {
        throw new UnsupportedOperationException("a sweep point's artifacts are discarded with the job's");
    }
}
