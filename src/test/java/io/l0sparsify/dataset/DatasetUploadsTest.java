package io.l0sparsify.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.util.unit.DataSize;

class DatasetUploadsTest {

    @TempDir
    Path dir;

    private DatasetUploads uploads(long limit) {
        DatasetProperties datasets = new DatasetProperties(null, null, null, null, null, DataSize.ofBytes(limit),
                null, null, null, null, null, null);
        return new DatasetUploads(new DatasetUploadProperties(dir, null, null), datasets);
    }

    private long entries() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.count();
        }
    }

    @Test
    void anUploadIsStreamedToItsOwnDirectoryWithItsDigestAndSize() throws IOException {
        ReceivedUpload received = uploads(10).receive(new ByteArrayInputStream("abc".getBytes()), -1, "x.npz",
                new DatasetFormat.Npz(null));
        // sha256("abc") = ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad
        assertThat(received.sha256()).isEqualTo("ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
        assertThat(received.size()).isEqualTo(3);
        assertThat(received.file().getFileName().toString()).isEqualTo("x.npz");
        assertThat(received.file().getParent()).isEqualTo(received.dir());
        assertThat(received.dir().getParent()).isEqualTo(dir);
        uploads(10).remove(received.dir());
        assertThat(entries()).isZero();
    }

    @Test
    void anUploadPastTheLimitLeavesNothingWhetherAnnouncedOrNot() throws IOException {
        DatasetUploads uploads = uploads(10);
        assertThatThrownBy(() -> uploads.receive(new ByteArrayInputStream(new byte[11]), -1, null,
                new DatasetFormat.Idx())).isInstanceOf(UploadTooLargeException.class);
        assertThatThrownBy(() -> uploads.receive(new ByteArrayInputStream(new byte[1]), 11, null,
                new DatasetFormat.Idx())).isInstanceOf(UploadTooLargeException.class);
        assertThat(entries()).isZero();
        assertThat(uploads.receive(new ByteArrayInputStream(new byte[10]), 10, null, new DatasetFormat.Idx()).size())
                .as("exactly the limit is accepted").isEqualTo(10);
    }

    @Test
    void clientFileNamesAreReducedToASafeLastSegment() {
        DatasetFormat cifar = new DatasetFormat.Cifar(null);
        assertThat(DatasetUploads.fileName("../../etc/passwd", cifar)).isEqualTo("passwd");
        assertThat(DatasetUploads.fileName("C:\\data\\my file.tar.gz", cifar)).isEqualTo("my_file.tar.gz");
        assertThat(DatasetUploads.fileName(".hidden", cifar)).isEqualTo("upload.tar.gz");
        assertThat(DatasetUploads.fileName(null, new DatasetFormat.Csv("y"))).isEqualTo("upload.csv");
        assertThat(DatasetUploads.fileName("dir/", new DatasetFormat.Npz(null))).isEqualTo("upload.npz");
    }

    @Test
    void directoriesLeftByAnEndedProcessAreRemovedFreshOnesKept() throws IOException {
        DatasetUploads uploads = uploads(100);
        ReceivedUpload old = uploads.receive(new ByteArrayInputStream(new byte[5]), -1, "old.csv",
                new DatasetFormat.Csv("y"));
        ReceivedUpload fresh = uploads.receive(new ByteArrayInputStream(new byte[5]), -1, "fresh.csv",
                new DatasetFormat.Csv("y"));
        FileTime longAgo = FileTime.from(Instant.now().minus(Duration.ofHours(1)));
        Files.setLastModifiedTime(old.file(), longAgo);
        Files.setLastModifiedTime(old.dir(), longAgo);
        assertThat(uploads.removeAbandoned(Duration.ofMinutes(2))).isEqualTo(1);
        assertThat(old.dir()).doesNotExist();
        assertThat(fresh.file()).exists();
    }
}
