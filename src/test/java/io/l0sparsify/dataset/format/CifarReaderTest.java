package io.l0sparsify.dataset.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.l0sparsify.dataset.DatasetFormat;
import io.l0sparsify.dataset.DatasetFormatException;
import io.l0sparsify.dataset.IngestLimits;
import io.l0sparsify.dataset.LabelledDataset;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CifarReaderTest {

    @TempDir
    Path dir;

    @Test
    void cifar10AsDistributedHasItsBatchesInOrderAndTheMetaFilesNames() {
        LabelledDataset data = Fixtures.read(new DatasetFormat.Cifar(null), "cifar/cifar-10-binary.tar.gz");
        Fixtures.assertMatchesNumpy(data, "cifar/cifar-10-binary.tar.gz");
        assertThat(data.classNames()).startsWith("airplane", "automobile").hasSize(10);
    }

    @Test
    void cifar100ReadsFineLabelsByDefault() {
        LabelledDataset data = Fixtures.read(new DatasetFormat.Cifar(null), "cifar/cifar-100-binary.tar.gz");
        Fixtures.assertMatchesNumpy(data, "cifar/cifar-100-binary.tar.gz#fine");
    }

    @Test
    void cifar100ReadsCoarseLabelsWhenAsked() {
        LabelledDataset data = Fixtures.read(new DatasetFormat.Cifar("coarse"), "cifar/cifar-100-binary.tar.gz");
        Fixtures.assertMatchesNumpy(data, "cifar/cifar-100-binary.tar.gz#coarse");
    }

    @Test
    void anUnknownLabelsOptionIsRefused() {
        assertThatThrownBy(() -> Fixtures.read(new DatasetFormat.Cifar("medium"), "cifar/cifar-100-binary.tar.gz"))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessage("cifar-100-binary.tar.gz: the option labels is 'fine' or 'coarse', not 'medium'");
    }

    @Test
    void aPartialRecordIsRefusedNamingTheFile() {
        assertThatThrownBy(() -> Fixtures.read(new DatasetFormat.Cifar(null), "bad/cifar_partial_record.zip"))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessage("cifar_partial_record.zip: test_batch.bin: holds 3076 bytes, not a whole number of"
                        + " 3073-byte CIFAR-10 records (truncated?)");
    }

    @Test
    void binFilesInAZipWithoutNamesGetNumberedClasses() throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("train.bin", records(new int[][] {{1, 4}, {0, 2}}));
        files.put("test.bin", records(new int[][] {{1, 3}}));
        LabelledDataset data = DatasetReaders.read(new DatasetFormat.Cifar("fine"),
                TestArchives.zip(dir.resolve("c.zip"), files), Fixtures.LIMITS);
        assertThat(data.classNames()).containsExactly("0", "1", "2", "3", "4");
        assertThat(data.shape().dims()).containsExactly(3, 32, 32);
    }

    @Test
    void moreNamedClassesThanTheLimitAreRefused() throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("data_batch_1.bin", new byte[3073]);
        files.put("test_batch.bin", new byte[3073]);
        files.put("batches.meta.txt", "a\nb\nc\nd\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        Path zip = TestArchives.zip(dir.resolve("c.zip"), files);
        assertThatThrownBy(() -> DatasetReaders.read(new DatasetFormat.Cifar(null), zip,
                new IngestLimits(1 << 20, 1000, 3)))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessage("c.zip: batches.meta.txt: names 4 classes, more than the limit of 3");
    }

    @Test
    void aLabelBeyondTheLimitIsRefusedNamingTheRecord() {
        assertThatThrownBy(() -> DatasetReaders.read(new DatasetFormat.Cifar("fine"),
                Fixtures.path("cifar/cifar-100-binary.tar.gz"), new IngestLimits(1 << 20, 1000, 50)))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessage("cifar-100-binary.tar.gz: cifar-100-binary/train.bin: record 1's label = 99: labels are"
                        + " class indices 0 to 49 (this service allows at most 50 classes)");
    }

    @Test
    void aTestBatchAloneIsRefused() throws IOException {
        Path zip = TestArchives.zip(dir.resolve("t.zip"), Map.of("test_batch.bin", new byte[3073]));
        assertThatThrownBy(() -> DatasetReaders.read(new DatasetFormat.Cifar(null), zip, Fixtures.LIMITS))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessage("t.zip: has test_batch.bin but no data_batch_N.bin");
    }

    /** CIFAR-100 records of {coarse, fine} labels and a flat image. */
    private static byte[] records(int[][] labels) {
        byte[] out = new byte[labels.length * 3074];
        for (int i = 0; i < labels.length; i++) {
            out[i * 3074] = (byte) labels[i][0];
            out[i * 3074 + 1] = (byte) labels[i][1];
        }
        return out;
    }
}
