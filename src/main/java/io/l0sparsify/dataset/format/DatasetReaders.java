package io.l0sparsify.dataset.format;

import io.l0sparsify.dataset.DatasetFormat;
import io.l0sparsify.dataset.DatasetFormatException;
import io.l0sparsify.dataset.IngestLimits;
import io.l0sparsify.dataset.LabelledDataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;

/**
 * Reads a dataset file of any supported format into the service's one in-memory form, one reader per format.
 * Archives are never extracted to disk: entries are read as streams, their names checked (an entry whose path
 * leaves the archive's folder refuses the archive), and every decompressed byte counted against the limits.
 */
public final class DatasetReaders {

    private DatasetReaders() {}

    /**
     * Reads {@code file} as {@code format} within {@code limits}: images channel-first {@code [C, H, W]} (kept as
     * unsigned bytes where the source is {@code uint8}), features {@code [F]} as floats; the format's own
     * train/test split where it has one ({@link LabelledDataset.Splits.Given}), else
     * {@link LabelledDataset.Splits.Unsplit}. Each reader's javadoc states its layout and naming rules.
     *
     * @throws DatasetFormatException naming the file, and the entry, array, row or column that is wrong, when
     *     the file is missing, truncated, corrupt, unsafe, beyond the limits or not what the format says
     */
    public static LabelledDataset read(DatasetFormat format, Path file, IngestLimits limits) {
        ExpansionBudget budget = new ExpansionBudget(file, limits, size(file));
        return switch (format) {
            case DatasetFormat.Npz npz -> NumpyReader.read(file, true, npz.layout(), budget);
            case DatasetFormat.Npy npy -> NumpyReader.read(file, false, npy.layout(), budget);
            case DatasetFormat.Csv csv -> CsvReader.read(file, csv.labelColumn(), budget);
            case DatasetFormat.Idx idx -> IdxArchiveReader.read(file, budget);
            case DatasetFormat.Cifar cifar -> CifarReader.read(file, cifar.labels(), budget);
            case DatasetFormat.ImageFolder folder -> ImageFolderReader.read(file, folder, budget);
        };
    }

    private static long size(Path file) {
        try {
            return Files.size(file);
        } catch (NoSuchFileException e) {
            throw new DatasetFormatException(file, "not found");
        } catch (IOException e) {
            throw new DatasetFormatException(file, "cannot be read: " + Archive.reason(e, file), e);
        }
    }
}
