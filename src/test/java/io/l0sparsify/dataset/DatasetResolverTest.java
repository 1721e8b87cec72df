package io.l0sparsify.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class DatasetResolverTest {

    private Path datasets;
    private Path allowed;
    private Path outside;
    private DatasetResolver resolver;

    @BeforeEach
    void setUp() throws IOException {
        datasets = TestDatasets.withMnist();
        Path base = datasets.getParent();
        allowed = base.resolve("allowed");
        outside = base.resolve("outside");
        TestDatasets.linkMnistInto(allowed.resolve("digits"));
        TestDatasets.linkMnistInto(outside.resolve("secret"));
        Files.createSymbolicLink(allowed.resolve("escape"), outside.resolve("secret"));
        Files.createDirectories(allowed.resolve("empty"));
        resolver = new DatasetResolver(DatasetProperties.of(datasets, List.of(allowed)));
    }

    @Test
    void builtinNameResolvesUnderTheDatasetsDirWithItsImageShape() {
        ResolvedDataset mnist = resolver.resolve("builtin:mnist");
        assertThat(mnist.dir()).isEqualTo(datasets.resolve("mnist"));
        assertThat(mnist.imageRows()).isEqualTo(28);
        assertThat(mnist.imageCols()).isEqualTo(28);
        assertThat(resolver.builtinNames()).containsExactly("mnist");
    }

    @Test
    void aHeaderWithNegativeRowsAndColumnsIsRefusedAtResolve() throws IOException {
        // -28 · -28 = 784: the shape of MNIST's flat input, so the model check alone would let it pass
        Path bad = Files.createDirectories(datasets.resolve("negative"));
        for (String file : IdxReader.FILES) {
            Files.copy(datasets.resolve("mnist").resolve(file + ".gz"), bad.resolve(file + ".gz"));
        }
        try (var out = new java.io.DataOutputStream(new java.util.zip.GZIPOutputStream(
                Files.newOutputStream(bad.resolve(IdxReader.FILES.get(0) + ".gz"))))) {
            out.writeInt(0x00000803);
            out.writeInt(1);
            out.writeInt(-28);
            out.writeInt(-28);
            out.write(new byte[784]);
        }
        assertThatThrownBy(() -> resolver.resolve("builtin:negative"))
                .isInstanceOf(DatasetReferenceException.class).hasMessageContaining("-28x-28");
    }

    @Test
    void unknownBuiltinNamesTheAvailableOnes() {
        assertThatThrownBy(() -> resolver.resolve("builtin:cifar10"))
                .isInstanceOf(DatasetReferenceException.class).hasMessageContaining("available: builtin:mnist");
    }

    @Test
    void builtinNameCannotClimbOut() {
        assertThatThrownBy(() -> resolver.resolve("builtin:../allowed/digits"))
                .isInstanceOf(DatasetReferenceException.class).hasMessageContaining("not a dataset name");
    }

    @Test
    void fileUnderAnAllowedRootIsAccepted() {
        assertThat(resolver.resolve("file:" + allowed.resolve("digits")).dir())
                .isEqualTo(allowed.resolve("digits").toAbsolutePath());
    }

    @Test
    void fileOutsideTheRootsIsRefused() {
        assertThatThrownBy(() -> resolver.resolve("file:" + outside.resolve("secret")))
                .isInstanceOf(DatasetReferenceException.class).hasMessageContaining("inside one of the allowed roots");
    }

    @Test
    void everyRefusalOfAPathSaysTheSameWhateverExists() throws IOException {
        Files.writeString(allowed.resolve("plain-file"), "not a directory");
        List<Path> refused = List.of(outside.resolve("secret"), outside.resolve("nothing"), allowed.resolve("nothing"),
                allowed.resolve("empty"), allowed.resolve("escape"),
                Path.of("/etc"), Path.of("/no/such/dir"));
        for (Path path : refused) {
            assertThatThrownBy(() -> resolver.resolve("file:" + path)).as(path.toString())
                    .isInstanceOf(DatasetReferenceException.class)
                    .hasMessage("'" + path + "' is not a dataset this service may read: it must lie inside "
                            + "one of the allowed roots and be a directory holding the four IDX files "
                            + String.join(", ", IdxReader.FILES) + " (optionally gzipped), or a dataset file");
        }
    }

    @Test
    void aFileInsideTheRootsThatLinksOutsideIsNeverRead() throws IOException {
        Path mixed = allowed.resolve("mixed");
        TestDatasets.linkMnistInto(mixed);
        Path secret = outside.resolve("secret.txt");
        Files.writeString(secret, "SECRET-BYTES");
        Files.delete(mixed.resolve("train-labels-idx1-ubyte.gz"));
        Files.createSymbolicLink(mixed.resolve("train-labels-idx1-ubyte"), secret);
        String missingMessage = messageOf(() -> resolver.resolve("file:" + allowed.resolve("empty")))
                .replace(allowed.resolve("empty").toString(), "DIR");

        assertThat(messageOf(() -> resolver.resolve("file:" + mixed)).replace(mixed.toString(), "DIR"))
                .isEqualTo(missingMessage);
        assertThatThrownBy(() -> IdxReader.read(mixed, IdxReader.FILES.get(0), IdxReader.FILES.get(1)))
                .isInstanceOf(DatasetFormatException.class).hasMessageContaining("not found in")
                .hasMessageNotContaining("SECRET").hasMessageNotContaining("0x5345");
    }

    @Test
    void builtinDirectoryLinkingOutsideTheRootsIsUnknown() throws IOException {
        Files.createSymbolicLink(datasets.resolve("elsewhere"), outside.resolve("secret"));
        assertThatThrownBy(() -> resolver.resolve("builtin:elsewhere"))
                .isInstanceOf(DatasetReferenceException.class).hasMessage("unknown dataset 'builtin:elsewhere'; "
                        + "available: builtin:mnist");
        assertThat(resolver.builtinNames()).containsExactly("mnist");
    }

    @Test
    void builtinFileLinkingOutsideItsDirectoryIsNeverRead() throws IOException {
        Path leaky = datasets.resolve("leaky");
        TestDatasets.linkMnistInto(leaky);
        Files.delete(leaky.resolve("t10k-labels-idx1-ubyte.gz"));
        Files.createSymbolicLink(leaky.resolve("t10k-labels-idx1-ubyte.gz"),
                outside.resolve("secret").resolve("t10k-labels-idx1-ubyte.gz"));
        assertThatThrownBy(() -> resolver.resolve("builtin:leaky")).hasMessageStartingWith("unknown dataset");
        assertThatThrownBy(() -> IdxReader.readSplit(leaky)).isInstanceOf(DatasetFormatException.class)
                .hasMessageContaining("not found in");
    }

    private static String messageOf(Runnable call) {
        try {
            call.run();
        } catch (DatasetReferenceException e) {
            return e.getMessage();
        }
        throw new AssertionError("not refused");
    }

    @Test
    void dotDotSegmentsAreRefusedEvenWhenTheyWouldLandInside() {
        assertThatThrownBy(() -> resolver.resolve("file:" + allowed + "/../outside/secret"))
                .isInstanceOf(DatasetReferenceException.class).hasMessageContaining("'..'");
        assertThatThrownBy(() -> resolver.resolve("file:" + allowed + "/digits/../digits"))
                .isInstanceOf(DatasetReferenceException.class).hasMessageContaining("'..'");
    }

    @Test
    void symlinkLeadingOutsideTheRootsIsRefused() {
        assertThatThrownBy(() -> resolver.resolve("file:" + allowed.resolve("escape")))
                .isInstanceOf(DatasetReferenceException.class).hasMessageContaining("inside one of the allowed roots");
    }

    @Test
    void relativeAndMissingAndIncompleteDirectoriesAreRefused() {
        assertThatThrownBy(() -> resolver.resolve("file:data/mnist")).hasMessageContaining("absolute path");
        assertThatThrownBy(() -> resolver.resolve("file:" + allowed.resolve("nothing"))).hasMessageContaining("IDX files");
        assertThatThrownBy(() -> resolver.resolve("file:" + allowed.resolve("empty"))).hasMessageContaining("IDX files");
    }

    @Test
    void otherSchemesAreRefused() {
        assertThatThrownBy(() -> resolver.resolve("ftp://example.org/mnist.tar.gz"))
                .hasMessageContaining("must be builtin:NAME, file:/absolute/path, dataset:ID, s3://bucket/key or"
                        + " https://host/path");
    }
}
