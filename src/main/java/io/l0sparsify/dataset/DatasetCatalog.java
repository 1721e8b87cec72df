package io.l0sparsify.dataset;

import java.io.IOException;
import java.io.InputStream;
import java.util.Optional;

/**
 * The uploaded datasets, as jobs see them: whether an id names one, its state and shape, and its stored
 * canonical form ({@link CanonicalDatasetCodec}).
 */
public interface DatasetCatalog {

    /** The dataset with this id, in whatever state. */
    Optional<DatasetEntry> find(String id);

    /** Opens the canonical form of a READY dataset; the caller closes the stream. */
    InputStream openCanonical(String id) throws IOException;
}
