package io.l0sparsify.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.util.unit.DataSize;

/**
 * Fetching, verifying and caching a job's dataset, per scheme. The format readers are not under test here: a
 * toy reader (two bytes per example, a feature and a label) stands in for them and counts how often it is
 * asked, so a cache hit shows as no read and no request; the HTTPS server is real (loopback, a certificate made
 * for the test) and counts requests.
 */
class DatasetLoaderTest {

    private static LoopbackHttps https;
    private Path base;
    private Path allowed;
    private Path outside;
    private final AtomicInteger reads = new AtomicInteger();
    private final FakeCatalog catalog = new FakeCatalog();

    @BeforeAll
    static void startServer() throws Exception {
        Path dir = Path.of("target", "test-data", "https-" + UUID.randomUUID()).toAbsolutePath();
        Files.createDirectories(dir);
        https = new LoopbackHttps(dir);
    }

    @AfterAll
    static void stopServer() {
        https.close();
    }

    @BeforeEach
    void setUp() throws IOException {
        base = Path.of("target", "test-data", UUID.randomUUID().toString()).toAbsolutePath();
        allowed = Files.createDirectories(base.resolve("allowed"));
        outside = Files.createDirectories(base.resolve("outside"));
    }

    /** Two bytes per example: a feature value, and a label whose lowest bit is the class. */
    private LabelledDataset toyRead(DatasetFormat format, Path file, IngestLimits limits) {
        reads.incrementAndGet();
        try {
            byte[] bytes = Files.readAllBytes(file);
            int n = bytes.length / 2;
            float[] values = new float[n];
            int[] labels = new int[n];
            for (int i = 0; i < n; i++) {
                values[i] = bytes[2 * i] & 0xFF;
                labels[i] = bytes[2 * i + 1] & 1;
            }
            Examples all = new Examples("all", InputShape.features(1), new ExampleValues.Floats(values), labels);
            return new LabelledDataset(InputShape.features(1), List.of("even", "odd"),
                    new LabelledDataset.Splits.Unsplit(all));
        } catch (IOException e) {
            throw new DatasetFormatException(file, "unreadable", e);
        }
    }

    private DatasetLoader loader(List<String> httpsHosts, long maxBytes) {
        DatasetProperties properties = new DatasetProperties(base.resolve("builtin"), List.of(allowed), 0, 0,
                base.resolve("cache"), DataSize.ofBytes(maxBytes), null, null, null, httpsHosts, null, null);
        DatasetResolver resolver = new DatasetResolver(properties, Optional.of(catalog), false);
        return new DatasetLoader(resolver, properties, Optional.of(catalog),
                new DatasetFetcher(https.client(), Optional.empty(), maxBytes), this::toyRead);
    }

    private DatasetLoader loader() {
        return loader(List.of("localhost"), 1 << 20);
    }

    private static byte[] toyFile(int examples) {
        byte[] bytes = new byte[2 * examples];
        for (int i = 0; i < examples; i++) {
            bytes[2 * i] = (byte) (i * 7);
            bytes[2 * i + 1] = (byte) i;
        }
        return bytes;
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static DatasetRef ref(String uri, String sha256) {
        return new DatasetRef(uri, sha256, null, null, null);
    }

    @Test
    void anHttpsFileIsFetchedOnceVerifiedAndThenReadFromTheCache() throws Exception {
        byte[] file = toyFile(30);
        https.files.put("/once/data.npz", file);
        DatasetRef ref = ref(https.uri("/once/data.npz").toString(), sha256(file));

        DatasetLoader.Loaded first = loader().load(ref, 0, 0);
        DatasetLoader.Loaded second = loader().load(ref, 0, 0);

        assertThat(first.sha256()).isEqualTo(sha256(file));
        assertThat(second.sha256()).isEqualTo(first.sha256());
        assertThat(https.hits("/once/data.npz")).as("requests").isEqualTo(1);
        assertThat(reads).as("format reads").hasValue(1);
        Examples all = ((LabelledDataset.Splits.Unsplit) second.dataset().splits()).all();
        assertThat(all.size()).isEqualTo(30);
        assertThat(((ExampleValues.Floats) all.values()).values()[3]).isEqualTo(21f);
        assertThat(Files.list(base.resolve("cache").resolve("tmp")).toList()).as("no download left behind").isEmpty();
    }

    @Test
    void jobsWantingTheSameFileAtOnceFetchItOnce() throws Exception {
        byte[] file = toyFile(40);
        https.files.put("/shared/data.npz", file);
        DatasetRef ref = ref(https.uri("/shared/data.npz").toString(), sha256(file));
        DatasetLoader loader = loader();
        java.util.concurrent.ExecutorService pool = java.util.concurrent.Executors.newFixedThreadPool(4);
        try {
            List<java.util.concurrent.Future<DatasetLoader.Loaded>> runs = new ArrayList<>();
            for (int i = 0; i < 4; i++) {
                runs.add(pool.submit(() -> loader.load(ref, 0, 0)));
            }
            for (var run : runs) {
                assertThat(run.get().sha256()).isEqualTo(sha256(file));
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(https.hits("/shared/data.npz")).isEqualTo(1);
        assertThat(reads).hasValue(1);
    }

    @Test
    void downloadsLeftByADeadProcessAreClearedAndFreshOnesKept() throws Exception {
        Path tmp = Files.createDirectories(base.resolve("cache").resolve("tmp"));
        Path old = Files.createDirectories(tmp.resolve("fetch-old"));
        Files.write(old.resolve("data.npz"), toyFile(3));
        Files.setLastModifiedTime(old, java.nio.file.attribute.FileTime.from(
                java.time.Instant.now().minus(java.time.Duration.ofDays(2))));
        Path fresh = Files.createDirectories(tmp.resolve("fetch-fresh"));
        byte[] file = toyFile(5);
        https.files.put("/prune/data.npz", file);

        loader().load(ref(https.uri("/prune/data.npz").toString(), sha256(file)), 0, 0);

        assertThat(old).doesNotExist();
        assertThat(fresh).exists();
    }

    @Test
    void aFileWhoseDigestDiffersIsRefusedNamingBothAndNothingIsCached() throws Exception {
        byte[] file = toyFile(10);
        https.files.put("/changed/data.npz", file);
        String expected = "0".repeat(64);

        DatasetReferenceException refused = catchThrowableOfType(DatasetReferenceException.class,
                () -> loader().load(ref(https.uri("/changed/data.npz").toString(), expected), 0, 0));

        assertThat(refused.field()).isEqualTo("dataset.sha256");
        assertThat(refused.getMessage()).contains("has SHA-256 " + sha256(file), "expects " + expected);
        assertThat(reads).hasValue(0);
        assertThat(base.resolve("cache").resolve("canonical")).doesNotExist();
    }

    @Test
    void aHostNotOnTheAllowListIsRefusedBeforeAnyRequest() throws Exception {
        https.files.put("/denied/data.npz", toyFile(4));
        DatasetRef ref = ref(https.uri("/denied/data.npz").toString(), sha256(toyFile(4)));

        assertThatThrownBy(() -> loader(List.of(), 1 << 20).load(ref, 0, 0))
                .isInstanceOf(DatasetReferenceException.class)
                .hasMessage("the host localhost is not allowed: https: datasets may come only from the hosts on"
                        + " l0.datasets.https-allowed-hosts, which allows none on this service");
        assertThatThrownBy(() -> loader(List.of("example.org"), 1 << 20).load(ref, 0, 0))
                .hasMessageContaining("the host localhost is not allowed").hasMessageContaining("(example.org)");
        assertThat(https.hits("/denied/data.npz")).isZero();
    }

    @Test
    void anHttpsFileNeedsItsDigest() {
        assertThat(catchThrowableOfType(DatasetReferenceException.class,
                () -> loader().load(ref(https.uri("/x/data.npz").toString(), null), 0, 0)).field())
                .isEqualTo("dataset.sha256");
    }

    @Test
    void redirectsAreFollowedOnTheSameHostOnly() throws Exception {
        byte[] file = toyFile(6);
        https.files.put("/moved/new.npz", file);
        https.redirects.put("/moved/old.npz", "/moved/new.npz");
        https.redirects.put("/away/data.npz", "https://127.0.0.1:" + https.uri("/").getPort() + "/moved/new.npz");

        assertThat(loader().load(ref(https.uri("/moved/old.npz").toString(), sha256(file)), 0, 0).sha256())
                .isEqualTo(sha256(file));
        assertThatThrownBy(() -> loader().load(ref(https.uri("/away/data.npz").toString(), "1".repeat(64)), 0, 0))
                .isInstanceOf(DatasetReferenceException.class)
                .hasMessageContaining("redirects are followed only on the same https host");
    }

    @Test
    void aFileLargerThanTheBoundIsRefusedAndNotKept() throws Exception {
        byte[] file = toyFile(600);
        https.files.put("/big/data.npz", file);

        assertThatThrownBy(() -> loader(List.of("localhost"), 1000).load(
                ref(https.uri("/big/data.npz").toString(), sha256(file)), 0, 0))
                .isInstanceOf(DatasetReferenceException.class)
                .hasMessageContaining("1200 bytes, larger than 1000 bytes (l0.datasets.max-upload-size)");
        assertThat(reads).hasValue(0);
    }

    @Test
    void aServerThatStopsSendingIsAbandoned() throws Exception {
        https.stalls.put("/stall/data.npz", true);
        DatasetProperties properties = new DatasetProperties(base.resolve("builtin"), List.of(allowed), 0, 0,
                base.resolve("cache"), DataSize.ofMegabytes(1), null, null, null, List.of("localhost"), null, null);
        DatasetLoader impatient = new DatasetLoader(new DatasetResolver(properties), properties, Optional.empty(),
                new DatasetFetcher(https.client(), Optional.empty(), 1 << 20, java.time.Duration.ofMillis(500)),
                this::toyRead);
        long start = System.nanoTime();

        assertThatThrownBy(() -> impatient.load(ref(https.uri("/stall/data.npz").toString(), "3".repeat(64)), 0, 0))
                .isInstanceOf(DatasetReferenceException.class)
                .hasMessageContaining("stopped sending after 10 bytes");
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isLessThan(java.time.Duration.ofSeconds(10));
    }

    @Test
    void anHttpErrorFailsNamingTheStatus() {
        assertThatThrownBy(() -> loader().load(ref(https.uri("/missing/data.npz").toString(), "2".repeat(64)), 0, 0))
                .isInstanceOf(DatasetReferenceException.class).hasMessageContaining("answered HTTP 404");
    }

    @Test
    void aLocalFileIsVerifiedCachedByItsDigestAndReadAgainWhenItChanges() throws Exception {
        Path file = allowed.resolve("table.npz");
        Files.write(file, toyFile(20));
        DatasetRef ref = ref("file:" + file, null);

        assertThat(loader().load(ref, 0, 0).sha256()).isEqualTo(sha256(toyFile(20)));
        assertThat(loader().load(ref, 0, 0).sha256()).isEqualTo(sha256(toyFile(20)));
        assertThat(reads).as("the second load reads the cache").hasValue(1);

        Files.write(file, toyFile(21));
        assertThat(loader().load(ref, 0, 0).sha256()).isEqualTo(sha256(toyFile(21)));
        assertThat(reads).as("a changed file is another entry").hasValue(2);
        assertThatThrownBy(() -> loader().load(ref("file:" + file, sha256(toyFile(20))), 0, 0))
                .isInstanceOf(DatasetReferenceException.class).hasMessageContaining(sha256(toyFile(21)));
    }

    @Test
    void aCacheThatCannotBeWrittenFailsWithoutNamingTheServersPaths() throws Exception {
        Path file = allowed.resolve("table.npz");
        Files.write(file, toyFile(20));
        Files.write(base.resolve("cache"), new byte[] {1}); // a file where the cache's directory should be

        assertThatThrownBy(() -> loader().load(ref("file:" + file, null), 0, 0))
                .isInstanceOf(IOException.class)
                .satisfies(e -> assertThat(e.getMessage()).isNotBlank()
                        .doesNotContain(base.toString()).doesNotContain("cache").doesNotContain("/"));
    }

    @Test
    void theSameFileReadWithOtherOptionsIsAnotherEntry() throws Exception {
        Path file = allowed.resolve("table.csv");
        Files.write(file, toyFile(8));
        loader().load(new DatasetRef("file:" + file, null, new DatasetFormat.Csv("a"), null, null), 0, 0);
        loader().load(new DatasetRef("file:" + file, null, new DatasetFormat.Csv("b"), null, null), 0, 0);
        loader().load(new DatasetRef("file:" + file, null, new DatasetFormat.Csv("a"), null, null), 0, 0);
        assertThat(reads).hasValue(2);
    }

    @Test
    void localFilesOutsideTheRootsOrThroughLinksOutAreRefusedAlike() throws Exception {
        Files.write(outside.resolve("secret.npz"), toyFile(4));
        Files.createSymbolicLink(allowed.resolve("link.npz"), outside.resolve("secret.npz"));
        List<String> messages = new ArrayList<>();
        for (Path path : List.of(outside.resolve("secret.npz"), allowed.resolve("link.npz"),
                allowed.resolve("missing.npz"))) {
            messages.add(catchThrowableOfType(DatasetReferenceException.class,
                    () -> loader().load(ref("file:" + path, null), 0, 0)).getMessage().replace(path.toString(), "P"));
        }
        assertThat(messages).containsOnly("'P' is not a dataset this service may read: it must lie inside one of the"
                + " allowed roots and be a directory holding the four IDX files " + String.join(", ", IdxReader.FILES)
                + " (optionally gzipped), or a dataset file");
        assertThat(reads).hasValue(0);
    }

    @Test
    void aFormatIsToldFromTheNameOnlyWhereTheNameLeavesNoDoubt() throws Exception {
        Files.write(allowed.resolve("t.csv"), toyFile(4));
        Files.write(allowed.resolve("a.tar.gz"), toyFile(4));
        Files.write(allowed.resolve("x.NPZ"), toyFile(4));
        DatasetResolver resolver = new DatasetResolver(DatasetProperties.of(base.resolve("builtin"), List.of(allowed)));

        assertThat(resolver.locate(ref("file:" + allowed.resolve("x.NPZ"), null)))
                .isEqualTo(new DatasetSource.LocalFile(allowed.resolve("x.NPZ").toRealPath(),
                        new DatasetFormat.Npz(null)));
        DatasetReferenceException csv = catchThrowableOfType(DatasetReferenceException.class,
                () -> resolver.locate(ref("file:" + allowed.resolve("t.csv"), null)));
        assertThat(csv.field()).isEqualTo("dataset.format.labelColumn");
        assertThat(csv.getMessage()).contains("a CSV dataset needs its label column");
        DatasetReferenceException archive = catchThrowableOfType(DatasetReferenceException.class,
                () -> resolver.locate(ref("file:" + allowed.resolve("a.tar.gz"), null)));
        assertThat(archive.field()).isEqualTo("dataset.format");
        assertThat(archive.getMessage()).isEqualTo("the format of 'a.tar.gz' cannot be told from its name; give"
                + " dataset.format (npz, npy, csv, idx, cifar or image-folder)");
        DatasetFormat cifar = new DatasetFormat.Cifar("coarse");
        assertThat(resolver.locate(new DatasetRef("file:" + allowed.resolve("a.tar.gz"), null, cifar, null, null)))
                .isEqualTo(new DatasetSource.LocalFile(allowed.resolve("a.tar.gz").toRealPath(), cifar));
    }

    @Test
    void anUploadedDatasetIsDownloadedOnceAndVerified() throws Exception {
        LabelledDataset dataset = toyRead(null, writeToy("stored.bin", 12), null);
        byte[] canonical = canonical(dataset);
        catalog.add(new DatasetEntry("ds1", DatasetState.READY, sha256(canonical), InputShape.features(1),
                List.of("even", "odd"), false, null, "alice"), canonical);

        DatasetLoader.Loaded first = loader().load(ref("dataset:ds1", null), 0, 0);
        DatasetLoader.Loaded second = loader().load(ref("dataset:ds1", null), 0, 0);

        assertThat(catalog.opened("ds1")).isEqualTo(1);
        assertThat(second.sha256()).isEqualTo(sha256(canonical));
        assertThat(((LabelledDataset.Splits.Unsplit) first.dataset().splits()).all().labels())
                .isEqualTo(((LabelledDataset.Splits.Unsplit) dataset.splits()).all().labels());
    }

    @Test
    void anUploadedDatasetWhoseStoredFormIsDamagedIsRefused() throws Exception {
        byte[] canonical = canonical(toyRead(null, writeToy("damaged.bin", 12), null));
        String recorded = sha256(canonical);
        canonical[canonical.length - 1] ^= 1;
        catalog.add(new DatasetEntry("ds2", DatasetState.READY, recorded, InputShape.features(1),
                List.of("even", "odd"), false, null, "alice"), canonical);

        assertThatThrownBy(() -> loader().load(ref("dataset:ds2", null), 0, 0))
                .isInstanceOf(DatasetReferenceException.class)
                .hasMessageContaining("SHA-256 is " + sha256(canonical)).hasMessageContaining(recorded);
        assertThat(base.resolve("cache").resolve("canonical")).doesNotExist();
        assertThat(Files.list(base.resolve("cache").resolve("tmp")).toList()).isEmpty();
    }

    @Test
    void anIdxDirectoryKeepsItsSplitAndItsBytes() throws Exception {
        Path datasets = TestDatasets.withMnist();
        DatasetProperties properties = DatasetProperties.of(datasets, List.of());
        DatasetLoader loader = new DatasetLoader(new DatasetResolver(properties), properties, Optional.empty(),
                new DatasetFetcher(https.client(), Optional.empty(), 1), this::toyRead);

        DatasetLoader.Loaded loaded = loader.load(DatasetRef.of("builtin:mnist"), 50, 20);

        LabelledDataset.Splits.Given split = (LabelledDataset.Splits.Given) loaded.dataset().splits();
        assertThat(loaded.dataset().shape()).isEqualTo(InputShape.image(1, 28, 28));
        assertThat(split.train().size()).isEqualTo(50);
        assertThat(split.test().size()).isEqualTo(20);
        LabelledDataset.Splits.Given original = (LabelledDataset.Splits.Given) IdxReader.readSplit(
                datasets.resolve("mnist"), 50, 20).splits();
        assertThat(((ExampleValues.UnsignedBytes) split.train().values()).values())
                .isEqualTo(((ExampleValues.UnsignedBytes) original.train().values()).values());
        assertThat(loaded.sha256()).isEqualTo(sha256(canonical(loaded.dataset())));
    }

    private Path writeToy(String name, int examples) throws IOException {
        return Files.write(base.resolve(name), toyFile(examples));
    }

    private static byte[] canonical(LabelledDataset dataset) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        CanonicalDatasetCodec.write(dataset, out);
        return out.toByteArray();
    }

    /** Uploaded datasets held in memory, counting how often each canonical form is opened. */
    static final class FakeCatalog implements DatasetCatalog {
        private final Map<String, DatasetEntry> entries = new ConcurrentHashMap<>();
        private final Map<String, byte[]> canonical = new ConcurrentHashMap<>();
        private final Map<String, AtomicInteger> opened = new ConcurrentHashMap<>();

        void add(DatasetEntry entry, byte[] bytes) {
            entries.put(entry.id(), entry);
            if (bytes != null) {
                canonical.put(entry.id(), bytes);
            }
        }

        int opened(String id) {
            return opened.getOrDefault(id, new AtomicInteger()).get();
        }

        @Override
        public Optional<DatasetEntry> find(String id) {
            return Optional.ofNullable(entries.get(id));
        }

        @Override
        public InputStream openCanonical(String id) throws IOException {
            opened.computeIfAbsent(id, i -> new AtomicInteger()).incrementAndGet();
            byte[] bytes = canonical.get(id);
            if (bytes == null) {
                throw new IOException("no stored form for " + id);
            }
            return new ByteArrayInputStream(bytes);
        }
    }
}
