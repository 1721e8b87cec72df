package io.l0sparsify.dataset.format;

import io.l0sparsify.dataset.DatasetFormat;
import io.l0sparsify.dataset.DatasetFormatException;
import io.l0sparsify.dataset.IngestLimits;
import io.l0sparsify.dataset.LabelledDataset;
import java.nio.file.Path;

/** Reads a dataset file of any supported format into the service's one in-memory form. */
public final class DatasetReaders {

    private DatasetReaders() {}

    /**
     * Reads {@code file} as {@code format} within {@code limits}.
     *
     * @throws DatasetFormatException naming the file, array, row or column that is wrong
     */
    public static LabelledDataset read(DatasetFormat format, Path file, IngestLimits limits) {
        throw new DatasetFormatException(file, "the " + format.name() + " format cannot be read yet");
    }
}
