package io.l0sparsify.dataset;

import io.l0sparsify.storage.DatasetBlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Optional;
import org.springframework.stereotype.Component;

/**
 * The catalog of uploaded datasets as jobs see it: the rows of {@link DatasetStore}, and the canonical forms in
 * the {@link DatasetBlobStore}. Exists in every role: the API checks references at submit time, workers read the
 * data.
 */
@Component
class StoredDatasetCatalog implements DatasetCatalog {

    private final DatasetStore store;
    private final DatasetBlobStore blobs;

    StoredDatasetCatalog(DatasetStore store, DatasetBlobStore blobs) {
        this.store = store;
        this.blobs = blobs;
    }

    @Override
    public Optional<DatasetEntry> find(String id) {
        return store.find(id).map(StoredDatasetCatalog::entryOf);
    }

    @Override
    public InputStream openCanonical(String id) throws IOException {
        Dataset dataset = store.find(id).orElseThrow(() -> new IOException("no dataset with id '" + id + "'"));
        if (dataset.state() != DatasetState.READY) {
            throw new IOException("dataset " + id + " is " + dataset.state() + ", not READY");
        }
        return blobs.open(id).orElseThrow(() -> new IOException("dataset " + id
                + " is READY but its stored form is missing from the dataset store"));
    }

    static DatasetEntry entryOf(Dataset dataset) {
        Optional<DatasetSummary> summary = dataset.summary();
        return new DatasetEntry(dataset.id(), dataset.state(), dataset.canonicalSha256(),
                summary.map(s -> new InputShape(s.inputShape())).orElse(null),
                summary.map(DatasetSummary::classNames).orElse(List.of()),
                summary.map(s -> s.splits().size() == 2).orElse(false), dataset.failureReason(), dataset.owner());
    }
}
