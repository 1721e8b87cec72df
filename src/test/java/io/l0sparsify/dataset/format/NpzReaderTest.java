package io.l0sparsify.dataset.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.l0sparsify.dataset.DatasetFormat;
import io.l0sparsify.dataset.DatasetFormat.Layout;
import io.l0sparsify.dataset.DatasetFormatException;
import io.l0sparsify.dataset.IngestLimits;
import io.l0sparsify.dataset.LabelledDataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class NpzReaderTest {

    private static final DatasetFormat NPZ = new DatasetFormat.Npz(null);

    @TempDir
    Path dir;

    @Test
    void compressedChannelsLastImagesBecomeChannelFirstBytesByDefault() {
        LabelledDataset data = Fixtures.read(NPZ, "npz/images_nhwc_uint8.npz");
        Fixtures.assertMatchesNumpy(data, "npz/images_nhwc_uint8.npz");
    }

    @Test
    void channelsFirstImagesAreReadAsTheyAreWithTheLayoutStated() {
        LabelledDataset data = Fixtures.read(new DatasetFormat.Npz(Layout.NCHW), "npz/images_nchw_uint8.npz");
        Fixtures.assertMatchesNumpy(data, "npz/images_nchw_uint8.npz");
    }

    @Test
    void float64FeaturesInXAndYOnlyAreUnsplitFloats() {
        LabelledDataset data = Fixtures.read(NPZ, "npz/features_float64_xy.npz");
        Fixtures.assertMatchesNumpy(data, "npz/features_float64_xy.npz");
    }

    @Test
    void fortranOrderGrayImagesGetOneChannel() {
        LabelledDataset data = Fixtures.read(NPZ, "npz/gray_fortran_uint8.npz");
        Fixtures.assertMatchesNumpy(data, "npz/gray_fortran_uint8.npz");
    }

    @Test
    void bigEndianFortranInt16ImagesBecomeFloats() {
        LabelledDataset data = Fixtures.read(NPZ, "npz/bigendian_int16_fortran.npz");
        Fixtures.assertMatchesNumpy(data, "npz/bigendian_int16_fortran.npz");
    }

    @Test
    void splitsOfDifferentDtypesAreBothStoredAsFloatsAndBoolLabelsAreClasses() {
        LabelledDataset data = Fixtures.read(NPZ, "npz/uint8_train_int32_test.npz");
        Fixtures.assertMatchesNumpy(data, "npz/uint8_train_int32_test.npz");
    }

    @Test
    void float16FeaturesAndUint32LabelsAreRead() {
        LabelledDataset data = Fixtures.read(NPZ, "npz/float16_features.npz");
        Fixtures.assertMatchesNumpy(data, "npz/float16_features.npz");
    }

    @Test
    void channelsFirstArrayReadWithTheDefaultLayoutIsRefusedWithAHint() {
        assertFails("bad/nchw_without_layout.npz", "x has shape (2, 3, 8, 8)", "8 channels", "NCHW");
    }

    @Test
    void negativeLabelIsRefusedNamingArrayAndIndex() {
        assertFails("bad/negative_label.npz", "negative_label.npz", "y[2] = -1");
    }

    @Test
    void fractionalLabelIsRefused() {
        assertFails("bad/fractional_label.npz", "y[2] = 0.5", "whole number");
    }

    @Test
    void hugeLabelIsRefusedNamingTheClassLimit() {
        assertFails("bad/huge_label.npz", "y[2] = 1000000", "at most 1000 classes");
    }

    @Test
    void nanAndInfinityFeaturesAreRefusedNamingArrayAndExample() {
        assertFails("bad/nan_feature.npz", "x: example 2", "NaN", "finite");
        assertFails("bad/inf_feature.npz", "x: example 1", "Infinity", "finite");
    }

    @Test
    void labelsAndExamplesOfDifferentLengthsAreRefused() {
        assertFails("bad/length_mismatch.npz", "y_train has 3 labels but x_train has 4 examples");
    }

    @Test
    void zeroExamplesAreRefused() {
        assertFails("bad/zero_examples.npz", "x has no examples");
    }

    @Test
    void unsupportedDtypeIsRefusedNamingIt() {
        assertFails("bad/complex_dtype.npz", "x.npy", "dtype '<c8' is not supported");
    }

    @Test
    void wrongMagicIsRefusedNamingTheEntry() {
        assertFails("bad/wrong_magic.npz", "x.npy", "wrong magic");
    }

    @Test
    void arraysWithOtherNamesAreRefusedListingWhatIsThere() {
        assertFails("bad/other_arrays.npz", "none of the arrays", "[features, targets]");
    }

    @Test
    void aMissingArrayOfTheSplitIsNamed() {
        assertFails("bad/missing_y_test.npz", "has no array y_test");
    }

    @Test
    void moreClassesThanTheLimitAreRefused() {
        // labels 0..2 need three classes
        assertThatThrownBy(() -> DatasetReaders.read(NPZ, Fixtures.path("npz/features_float64_xy.npz"),
                new IngestLimits(1 << 20, 100, 2)))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessageContaining("y[6] = 2")
                .hasMessageContaining("at most 2 classes");
    }

    @Test
    void truncatedNpzIsRefused() throws IOException {
        byte[] whole = Files.readAllBytes(Fixtures.path("npz/images_nchw_uint8.npz"));
        Path cut = dir.resolve("cut.npz");
        Files.write(cut, Arrays.copyOf(whole, whole.length / 2));
        assertThatThrownBy(() -> DatasetReaders.read(NPZ, cut, Fixtures.LIMITS))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessageStartingWith("cut.npz: ")
                .hasMessageContaining("truncated or corrupt");
    }

    @Test
    void corruptCompressedDataIsRefusedNamingTheEntry() throws IOException {
        byte[] bytes = Files.readAllBytes(Fixtures.path("npz/images_nhwc_uint8.npz"));
        // x_train.npy is the first entry: spoil its deflate stream a little after its local header
        for (int i = 60; i < 90; i++) {
            bytes[i] = (byte) 0xFF;
        }
        Path spoilt = dir.resolve("spoilt.npz");
        Files.write(spoilt, bytes);
        assertThatThrownBy(() -> DatasetReaders.read(NPZ, spoilt, Fixtures.LIMITS))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessageStartingWith("spoilt.npz: x_train.npy");
    }

    @Test
    void aFileThatIsNoZipIsRefused() throws IOException {
        Path text = Files.writeString(dir.resolve("data.npz"), "x,y\n1,2\n");
        assertThatThrownBy(() -> DatasetReaders.read(NPZ, text, Fixtures.LIMITS))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessage("data.npz: is not an archive, but a npz dataset is a zip (the file may be truncated"
                        + " or corrupt)");
    }

    private static void assertFails(String fixture, String... fragments) {
        var thrown = assertThatThrownBy(() -> Fixtures.read(NPZ, fixture))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessageStartingWith(Path.of(fixture).getFileName() + ": ");
        for (String fragment : fragments) {
            thrown.hasMessageContaining(fragment);
        }
    }
}
