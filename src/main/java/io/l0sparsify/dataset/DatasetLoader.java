package io.l0sparsify.dataset;

import io.l0sparsify.dataset.format.DatasetReaders;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import software.amazon.awssdk.services.s3.S3Client;
import tools.jackson.databind.json.JsonMapper;

/**
 * Reads the examples of a job's dataset on the worker: locates the reference again (the worker's own roots and
 * allow-list), fetches what is remote, verifies its SHA-256, ingests it with the format's reader and keeps the
 * canonical form in the {@link DatasetCache}, so that the next job naming the same file and options reads it from
 * there without fetching it.
 *
 * <p>The cache key of a file is the SHA-256 of the file's digest and its format options, so a file read with
 * other options (another CSV label column) is another entry. A {@code file:} or {@code s3:} file without a
 * {@code sha256} is read (or downloaded) again to learn its digest; with one, a cached entry is used as it is.
 */
@Component
public class DatasetLoader {

    private static final Logger log = LoggerFactory.getLogger(DatasetLoader.class);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    /** How a file of some format becomes a dataset: the format readers, replaceable in tests. */
    @FunctionalInterface
    public interface FileReader {
        LabelledDataset read(DatasetFormat format, Path file, IngestLimits limits);
    }

    /**
     * A dataset as read for a job.
     *
     * @param dataset its examples, with the split the format gave it, if any
     * @param sha256 the SHA-256 of what was read: the fetched or local file, an uploaded dataset's canonical form,
     *     or for an IDX directory the canonical form of the examples read from it
     */
    public record Loaded(LabelledDataset dataset, String sha256) {}

    private final DatasetResolver resolver;
    private final DatasetProperties properties;
    private final Optional<DatasetCatalog> catalog;
    private final DatasetFetcher fetcher;
    private final FileReader reader;
    private final DatasetCache cache;
    /** One lock per cache key, so that concurrent jobs of this process fetch a file once. */
    private final ConcurrentHashMap<String, ReentrantLock> locks = new ConcurrentHashMap<>();

    @Autowired
    public DatasetLoader(DatasetResolver resolver, DatasetProperties properties,
            ObjectProvider<DatasetCatalog> catalog, ObjectProvider<S3Client> s3) {
        this(resolver, properties, Optional.ofNullable(catalog.getIfAvailable()), new DatasetFetcher(
                DatasetFetcher.defaultHttpClient(), Optional.ofNullable(s3.getIfAvailable()),
                properties.maxUploadSize().toBytes()), DatasetReaders::read);
    }

    public DatasetLoader(DatasetResolver resolver, DatasetProperties properties, Optional<DatasetCatalog> catalog,
            DatasetFetcher fetcher, FileReader reader) {
        this.resolver = resolver;
        this.properties = properties;
        this.catalog = catalog;
        this.fetcher = fetcher;
        this.reader = reader;
        this.cache = new DatasetCache(properties.cacheDir());
    }

    /**
     * The dataset {@code ref} names. An IDX directory's parts are read only up to {@code maxTrain} and
     * {@code maxTest} examples (0: all), the caps a job applies anyway; every other source is read whole, since
     * its split, if any, is made afterwards.
     *
     * @throws DatasetReferenceException the reference cannot be followed or its digest differs
     * @throws DatasetFormatException the file is not what its format says
     * @throws IOException the cache or a download failed
     */
    public Loaded load(DatasetRef ref, int maxTrain, int maxTest) throws IOException {
        try {
            return locateAndLoad(ref, maxTrain, maxTest);
        } catch (FileSystemException e) {
            // its message is a path, perhaps of the cache or another of the server's own: a job's error shows it
            log.warn("dataset {} cannot be read", ref.uri(), e);
            throw new IOException(FileFailures.reason(e), e);
        }
    }

    private Loaded locateAndLoad(DatasetRef ref, int maxTrain, int maxTest) throws IOException {
        return switch (resolver.locate(ref)) {
            case DatasetSource.IdxDirectory(Path dir) -> {
                LabelledDataset dataset = readIdxDirectory(dir, maxTrain, maxTest);
                yield new Loaded(dataset, canonicalDigest(dataset));
            }
            case DatasetSource.LocalFile(Path file, DatasetFormat format) -> localFile(ref, file, format);
            case DatasetSource.Stored(DatasetEntry entry) -> stored(entry);
            case DatasetSource.S3Object object -> fetched(ref, object.format(), object.key()
                    .substring(object.key().lastIndexOf('/') + 1), target -> fetcher.fetch(object, target));
            case DatasetSource.Remote remote -> fetched(ref, remote.format(), remote.uri().getPath()
                    .substring(remote.uri().getPath().lastIndexOf('/') + 1), target -> fetcher.fetch(remote, target));
        };
    }

    /** Something that writes a file and returns its SHA-256. */
    @FunctionalInterface
    private interface Download {
        String to(Path target) throws IOException;
    }

    private Loaded fetched(DatasetRef ref, DatasetFormat format, String fileName, Download download)
            throws IOException {
        if (ref.sha256() == null) {
            // the digest, and so the cache entry, is known only once the file is here
            return download(ref, format, fileName, download);
        }
        String key = cacheKey(ref.sha256(), format);
        ReentrantLock lock = locks.computeIfAbsent(key, k -> new ReentrantLock());
        // Jobs of this process that want the same file wait for the first to fetch it, then read the cache.
        lock.lock();
        try {
            Optional<LabelledDataset> cached = cache.get(key);
            if (cached.isPresent()) {
                return new Loaded(cached.get(), ref.sha256());
            }
            return download(ref, format, fileName, download);
        } finally {
            lock.unlock();
        }
    }

    private Loaded download(DatasetRef ref, DatasetFormat format, String fileName, Download download)
            throws IOException {
        Path target = cache.newDownloadDirectory().resolve(fileName);
        try {
            String actual = download.to(target);
            verify(ref, actual);
            return ingest(target, actual, format);
        } finally {
            DatasetCache.deleteDownload(target);
        }
    }

    private Loaded localFile(DatasetRef ref, Path file, DatasetFormat format) throws IOException {
        String digest;
        try (InputStream in = Files.newInputStream(file)) {
            digest = HexFormat.of().formatHex(digestOf(in));
        }
        verify(ref, digest);
        Optional<LabelledDataset> cached = cache.get(cacheKey(digest, format));
        if (cached.isPresent()) {
            return new Loaded(cached.get(), digest);
        }
        // A copy is read, so that what is cached is what the digest was taken of even if the file changes.
        Path copy = cache.newDownloadDirectory().resolve(file.getFileName().toString());
        try (InputStream in = Files.newInputStream(file)) {
            String copied = DatasetCache.copyWithDigest(in, copy, Long.MAX_VALUE, ref.uri());
            verify(ref, copied);
            return ingest(copy, copied, format);
        } finally {
            DatasetCache.deleteDownload(copy);
        }
    }

    private Loaded ingest(Path file, String digest, DatasetFormat format) throws IOException {
        String key = cacheKey(digest, format);
        LabelledDataset dataset = reader.read(format, file, properties.ingestLimits());
        cache.put(key, dataset);
        return new Loaded(dataset, digest);
    }

    private Loaded stored(DatasetEntry entry) throws IOException {
        String sha256 = entry.canonicalSha256();
        ReentrantLock lock = locks.computeIfAbsent(sha256, k -> new ReentrantLock());
        lock.lock();
        try {
            return storedLocked(entry, sha256);
        } finally {
            lock.unlock();
        }
    }

    private Loaded storedLocked(DatasetEntry entry, String sha256) throws IOException {
        Optional<LabelledDataset> cached = cache.get(sha256);
        if (cached.isPresent()) {
            return new Loaded(cached.get(), sha256);
        }
        DatasetCatalog datasets = catalog.orElseThrow(() -> new DatasetReferenceException(
                "this worker holds no uploaded datasets"));
        try (InputStream in = datasets.openCanonical(entry.id())) {
            cache.putVerified(sha256, in, Long.MAX_VALUE, "dataset:" + entry.id());
        }
        return new Loaded(cache.get(sha256).orElseThrow(() -> new IOException("dataset:" + entry.id()
                + " was cached but cannot be read back from the dataset cache")), sha256);
    }

    /** A given {@code sha256} must be the file's; the refusal names both digests. */
    private static void verify(DatasetRef ref, String actual) {
        if (ref.sha256() != null && !ref.sha256().equals(actual)) {
            throw new DatasetReferenceException("dataset.sha256", "the file has SHA-256 " + actual
                    + " but the job expects " + ref.sha256() + " (dataset.sha256); the file changed or is not"
                    + " the one meant");
        }
    }

    /** The cache key of a file read with a format's options: the same bytes read otherwise are another dataset. */
    static String cacheKey(String fileSha256, DatasetFormat format) {
        String options = JSON.writerFor(DatasetFormat.class).writeValueAsString(format);
        MessageDigest digest = DatasetCache.sha256();
        digest.update((fileSha256 + "\n" + options).getBytes(StandardCharsets.UTF_8));
        return HexFormat.of().formatHex(digest.digest());
    }

    private static byte[] digestOf(InputStream in) throws IOException {
        MessageDigest digest = DatasetCache.sha256();
        byte[] buffer = new byte[1 << 16];
        for (int n; (n = in.read(buffer)) > 0; ) {
            digest.update(buffer, 0, n);
        }
        return digest.digest();
    }

    /** The SHA-256 of a dataset's canonical form, computed without keeping that form. */
    static String canonicalDigest(LabelledDataset dataset) throws IOException {
        MessageDigest digest = DatasetCache.sha256();
        try (OutputStream out = new DigestOutputStream(OutputStream.nullOutputStream(), digest)) {
            CanonicalDatasetCodec.write(dataset, out);
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /** The four IDX files of a directory as a dataset with its own split, the pixels kept as the files' bytes. */
    private static LabelledDataset readIdxDirectory(Path dir, int maxTrain, int maxTest) {
        return IdxReader.readSplit(dir, maxTrain > 0 ? maxTrain : IdxReader.ALL, maxTest > 0 ? maxTest : IdxReader.ALL);
    }
}
