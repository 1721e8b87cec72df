package io.l0sparsify.dataset;

import java.nio.file.Path;

/**
 * Reads an uploaded file of a given format into the service's in-memory form; {@link
 * io.l0sparsify.dataset.format.DatasetReaders#read} in the service. An interface so that ingestion can be
 * tested apart from the format readers.
 */
@FunctionalInterface
public interface DatasetReader {

    /**
     * @throws DatasetFormatException naming the file, array, row or column that is wrong
     */
    LabelledDataset read(DatasetFormat format, Path file, IngestLimits limits);
}
