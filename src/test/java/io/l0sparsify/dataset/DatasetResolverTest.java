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
                .hasMessageContaining("not found in leaky")
                .as("the datasets directory is the server's").hasMessageNotContaining(datasets.toString());
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

    private static DatasetReferenceException refusal(DatasetResolver resolver, DatasetRef ref) {
        return org.assertj.core.api.Assertions.catchThrowableOfType(DatasetReferenceException.class,
                () -> resolver.locate(ref));
    }

    @Test
    void anUploadedDatasetMustExistAndBeReady() {
        DatasetLoaderTest.FakeCatalog catalog = new DatasetLoaderTest.FakeCatalog();
        InputShape shape = InputShape.image(3, 32, 32);
        DatasetEntry ready = new DatasetEntry("ok", DatasetState.READY, "a".repeat(64), shape, List.of("x", "y"),
                false, null, "alice");
        catalog.add(ready, null);
        catalog.add(new DatasetEntry("busy", DatasetState.INGESTING, null, null, List.of(), false, null, "alice"), null);
        catalog.add(new DatasetEntry("bad", DatasetState.FAILED, null, null, List.of(), false, null, "alice"), null);
        catalog.add(new DatasetEntry("ragged", DatasetState.FAILED, null, null, List.of(), false,
                "t.csv: row 3 has 4 fields, the header 5", "alice"), null);
        DatasetResolver withCatalog = new DatasetResolver(DatasetProperties.of(datasets, List.of(allowed)),
                java.util.Optional.of(catalog), false);

        DatasetSource source = withCatalog.locate(DatasetRef.of("dataset:ok"));
        assertThat(source).isEqualTo(new DatasetSource.Stored(ready));
        assertThat(withCatalog.preview(source)).contains(new DatasetPreview(shape, java.util.OptionalInt.of(2),
                false));
        assertThat(refusal(withCatalog, DatasetRef.of("dataset:nope")).getMessage())
                .isEqualTo("no uploaded dataset has the id 'nope'");
        assertThat(refusal(withCatalog, DatasetRef.of("dataset:busy")).getMessage())
                .contains("still being ingested");
        DatasetReferenceException failed = refusal(withCatalog, DatasetRef.of("dataset:bad"));
        assertThat(failed.field()).isEqualTo("dataset.uri");
        assertThat(failed.getMessage()).contains("FAILED to ingest", "GET /v1/datasets/bad says why");
        // the ingestion's own reason where the catalog has it
        assertThat(refusal(withCatalog, DatasetRef.of("dataset:ragged")).getMessage()).isEqualTo("dataset ragged"
                + " FAILED to ingest (t.csv: row 3 has 4 fields, the header 5) and cannot be trained on; upload it"
                + " again");
        assertThat(refusal(resolver, DatasetRef.of("dataset:ok")).getMessage())
                .isEqualTo("this service holds no uploaded datasets");
    }

    @Test
    void anIdxDirectoryIsPreviewedFromItsHeader() {
        DatasetSource source = resolver.locate(DatasetRef.of("file:" + allowed.resolve("digits")));
        assertThat(resolver.preview(source)).contains(new DatasetPreview(InputShape.image(1, 28, 28),
                java.util.OptionalInt.empty(), true));
        assertThat(refusal(resolver, new DatasetRef("file:" + allowed.resolve("digits"), null,
                new DatasetFormat.Csv("label"), null, null)).field()).isEqualTo("dataset.format");
    }

    @Test
    void anS3ObjectNeedsAnAllowedBucketAKeyAndAClient() {
        DatasetResolver withS3 = new DatasetResolver(new DatasetProperties(datasets, List.of(allowed), 0, 0, null,
                null, null, null, null, null, null, List.of("my-bucket")), java.util.Optional.empty(), true);
        assertThat(withS3.locate(DatasetRef.of("s3://my-bucket/sets/cifar.npz")))
                .isEqualTo(new DatasetSource.S3Object("my-bucket", "sets/cifar.npz", new DatasetFormat.Npz(null)));
        assertThat(withS3.preview(withS3.locate(DatasetRef.of("s3://my-bucket/a.npz")))).isEmpty();
        for (String uri : List.of("s3://my-bucket", "s3://my-bucket/", "s3://Bad_Bucket/a.npz", "s3://ab/dir/")) {
            assertThat(refusal(withS3, DatasetRef.of(uri)).getMessage()).as(uri)
                    .startsWith("an s3: dataset is s3://bucket/key");
        }
        assertThat(refusal(resolver, DatasetRef.of("s3://my-bucket/a.npz")).getMessage())
                .contains("has no S3 client");
        // a bucket not on the list, such as the service's own artifact bucket, is never read
        assertThat(refusal(withS3, DatasetRef.of("s3://l0-artifacts/datasets/x.l0ds")).getMessage())
                .isEqualTo("bucket 'l0-artifacts' is not one this service reads datasets from"
                        + " (l0.datasets.s3-allowed-buckets)");
    }

    @Test
    void anHttpsUriNeedsAnAllowedHostAPathAndADigest() {
        DatasetProperties properties = new DatasetProperties(datasets, List.of(allowed), 0, 0, null, null, null,
                null, null, List.of("Data.Example.org"), null, null);
        DatasetResolver remote = new DatasetResolver(properties);
        String sha = "b".repeat(64);
        assertThat(remote.locate(new DatasetRef("https://data.example.org/v1/train.npz", sha, null, null, null)))
                .isEqualTo(new DatasetSource.Remote(java.net.URI.create("https://data.example.org/v1/train.npz"),
                        new DatasetFormat.Npz(null)));
        assertThat(refusal(remote, new DatasetRef("https://other.example.org/train.npz", sha, null, null, null))
                .getMessage()).startsWith("the host other.example.org is not allowed");
        assertThat(refusal(remote, new DatasetRef("https://data.example.org/train.npz", null, null, null, null))
                .field()).isEqualTo("dataset.sha256");
        for (String uri : List.of("https://data.example.org/", "https://u:p@data.example.org/a.npz",
                "https://data.example.org/a.npz#x")) {
            assertThat(refusal(remote, new DatasetRef(uri, sha, null, null, null)).getMessage()).as(uri)
                    .startsWith("an https: dataset is https://host[:port]/path/to/file");
        }
        assertThat(refusal(resolver, new DatasetRef("https://data.example.org/a.npz", sha, null, null, null))
                .getMessage()).contains("which allows none on this service");
    }
}
