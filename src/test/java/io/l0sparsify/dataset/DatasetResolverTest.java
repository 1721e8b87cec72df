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
        resolver = new DatasetResolver(new DatasetProperties(datasets, List.of(allowed), 0, 0));
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
                .isInstanceOf(DatasetReferenceException.class).hasMessageContaining("outside");
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
                .isInstanceOf(DatasetReferenceException.class).hasMessageContaining("outside");
    }

    @Test
    void relativeAndMissingAndIncompleteDirectoriesAreRefused() {
        assertThatThrownBy(() -> resolver.resolve("file:data/mnist")).hasMessageContaining("absolute path");
        assertThatThrownBy(() -> resolver.resolve("file:" + allowed.resolve("nothing"))).hasMessageContaining("no directory");
        assertThatThrownBy(() -> resolver.resolve("file:" + allowed.resolve("empty"))).hasMessageContaining("IDX files");
    }

    @Test
    void otherSchemesAreRefused() {
        assertThatThrownBy(() -> resolver.resolve("https://example.org/mnist.tar.gz"))
                .hasMessageContaining("builtin:NAME or file:/absolute/dir");
    }
}
