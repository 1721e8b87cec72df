package io.l0sparsify.dataset.format;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.l0sparsify.dataset.DatasetFormat;
import io.l0sparsify.dataset.DatasetFormatException;
import org.junit.jupiter.api.Test;

class NpyReaderTest {

    private static final DatasetFormat NPY = new DatasetFormat.Npy(null);

    @Test
    void npyFilesUnderATopFolderOfATarGzAreReadAsTheirSplit() {
        Fixtures.assertMatchesNumpy(Fixtures.read(NPY, "npy/features_float32.tar.gz"), "npy/features_float32.tar.gz");
    }

    @Test
    void npyFilesInAZipAreReadAsTheirSplit() {
        Fixtures.assertMatchesNumpy(Fixtures.read(NPY, "npy/features_float32.zip"), "npy/features_float32.zip");
    }

    @Test
    void anNpzIsAZipSoATarGzIsRefusedAsOne() {
        assertThatThrownBy(() -> Fixtures.read(new DatasetFormat.Npz(null), "npy/features_float32.tar.gz"))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessage("features_float32.tar.gz: is a tar.gz, but a npz dataset is a zip (the file may be"
                        + " truncated or corrupt)");
    }
}
