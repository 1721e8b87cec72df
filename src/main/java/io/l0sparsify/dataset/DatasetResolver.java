package io.l0sparsify.dataset;

import java.io.DataInputStream;
import java.io.IOException;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.stereotype.Component;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * Turns a job's dataset reference into a {@link DatasetSource}, or refuses it. Cheap enough for submit time: it
 * reads at most a header, asks the catalog, or checks syntax and allow-lists; the examples themselves are read
 * by the worker ({@link DatasetLoader}).
 *
 * <ul>
 *   <li>{@code builtin:NAME} is the sub-directory NAME of the datasets directory, the four IDX files.
 *   <li>{@code file:/abs/path} is such a directory or one dataset file. Either is accepted only when its real
 *       path (every symlink resolved) lies under a root it may come from: the allowed roots for {@code file:},
 *       these and the datasets directory for {@code builtin:}; neither {@code ..} nor a symlink leads outside
 *       them, and {@link IdxReader} checks every file inside the same way. A path that is missing, outside the
 *       roots or unusable is refused in one message, so a refusal tells nothing about what exists on the server.
 *   <li>{@code dataset:ID} is an uploaded dataset; it must exist and be READY.
 *   <li>{@code s3://bucket/key} needs the service's S3 client ({@code l0.storage.type=s3}).
 *   <li>{@code https://host/path} needs a host on {@code l0.datasets.https-allowed-hosts} (none by default).
 * </ul>
 *
 * <p>A file's format is the one the reference gives, or told from its name where the name is unambiguous: only
 * {@code .npz} is (a zip or tar.gz may hold IDX, CIFAR, .npy files or image folders; a CSV needs its label
 * column).
 */
@Component
public class DatasetResolver {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final Pattern BUCKET = Pattern.compile("[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]");
    private static final String BUILTIN = "builtin:";
    private static final String FILE = "file:";
    private static final String STORED = "dataset:";
    private static final String S3 = "s3://";
    private static final String HTTPS = "https://";

    private final DatasetProperties properties;
    private final Optional<DatasetCatalog> catalog;
    private final boolean s3Configured;

    @Autowired
    public DatasetResolver(DatasetProperties properties, ObjectProvider<DatasetCatalog> catalog,
            ObjectProvider<S3Client> s3) {
        this(properties, Optional.ofNullable(catalog.getIfAvailable()), s3.getIfAvailable() != null);
    }

    public DatasetResolver(DatasetProperties properties, Optional<DatasetCatalog> catalog, boolean s3Configured) {
        this.properties = properties;
        this.catalog = catalog;
        this.s3Configured = s3Configured;
    }

    /** Built-in and local datasets only: no catalog, no S3 client. */
    public DatasetResolver(DatasetProperties properties) {
        this(properties, Optional.empty(), false);
    }

    /** A usable IDX directory for {@code uri} ({@code builtin:} or {@code file:}), with its image size. */
    public ResolvedDataset resolve(String uri) {
        if (!(locate(DatasetRef.of(uri)) instanceof DatasetSource.IdxDirectory(Path dir))) {
            throw new DatasetReferenceException("'" + uri + "' is not a directory of IDX files");
        }
        int[] shape = imageShape(dir);
        return new ResolvedDataset(uri, dir, shape[0], shape[1]);
    }

    /**
     * Where {@code ref} leads, or {@link DatasetReferenceException} naming the member at fault: reads nothing
     * but directory entries and the catalog. Every uploaded dataset counts (a worker reads what was submitted).
     */
    public DatasetSource locate(DatasetRef ref) {
        return locate(ref, owner -> true);
    }

    /**
     * {@link #locate(DatasetRef)} for a caller who sees only the uploaded datasets whose owner passes
     * {@code visibleOwner}: another's {@code dataset:ID} is refused exactly as one that does not exist.
     */
    public DatasetSource locate(DatasetRef ref, Predicate<String> visibleOwner) {
        String uri = ref.uri();
        if (uri.startsWith(BUILTIN)) {
            String name = uri.substring(BUILTIN.length());
            if (!NAME.matcher(name).matches() || name.contains("..")) {
                throw new DatasetReferenceException("'" + name + "' is not a dataset name (lower-case letters, "
                        + "digits, '.', '_', '-')");
            }
            Path dir = readableDataset(properties.dir().resolve(name), builtinRoots())
                    .filter(Files::isDirectory)
                    .orElseThrow(() -> new DatasetReferenceException("unknown dataset '" + uri + "'; available: "
                            + String.join(", ", builtinNames().stream().map(n -> BUILTIN + n).toList())));
            return new DatasetSource.IdxDirectory(dir);
        }
        if (uri.startsWith(FILE)) {
            String pathText = uri.substring(FILE.length());
            Path given = checkedFilePath(pathText);
            Path real = readableDataset(given, properties.allowedRoots())
                    .orElseThrow(() -> new DatasetReferenceException("'" + pathText + "' is not a dataset this "
                            + "service may read: it must lie inside one of the allowed roots and be a directory "
                            + "holding the four IDX files " + String.join(", ", IdxReader.FILES)
                            + " (optionally gzipped), or a dataset file"));
            if (Files.isDirectory(real)) {
                if (ref.format() != null && !(ref.format() instanceof DatasetFormat.Idx)) {
                    throw new DatasetReferenceException("dataset.format", "a directory is read as idx, not "
                            + ref.format().name());
                }
                return new DatasetSource.IdxDirectory(real);
            }
            // the name the user gave tells the format, not that of a link's target
            return new DatasetSource.LocalFile(real, format(ref, given.getFileName().toString()));
        }
        if (uri.startsWith(STORED)) {
            return new DatasetSource.Stored(readyEntry(uri.substring(STORED.length()), visibleOwner));
        }
        if (uri.startsWith(S3)) {
            return s3Object(ref);
        }
        if (uri.startsWith(HTTPS)) {
            return remote(ref);
        }
        throw new DatasetReferenceException("must be builtin:NAME, file:/absolute/path, dataset:ID, s3://bucket/key"
                + " or https://host/path but is '" + uri + "'");
    }

    /**
     * What can be known of a located dataset without reading its examples: an IDX directory's image size from
     * its header, an uploaded dataset's shape and classes from the catalog; empty for files yet to be read.
     */
    public Optional<DatasetPreview> preview(DatasetSource source) {
        return switch (source) {
            case DatasetSource.IdxDirectory(Path dir) -> {
                int[] shape = imageShape(dir);
                yield Optional.of(new DatasetPreview(InputShape.image(1, shape[0], shape[1]), OptionalInt.empty(),
                        true));
            }
            case DatasetSource.Stored(DatasetEntry entry) -> Optional.of(new DatasetPreview(entry.shape(),
                    OptionalInt.of(entry.classNames().size()), entry.hasOwnSplit()));
            case DatasetSource.LocalFile f -> Optional.empty();
            case DatasetSource.S3Object o -> Optional.empty();
            case DatasetSource.Remote r -> Optional.empty();
        };
    }

    /** The uploaded dataset {@code id}, which must be READY; the catalog's own word for why not, else. */
    private DatasetEntry readyEntry(String id, Predicate<String> visibleOwner) {
        DatasetCatalog datasets = catalog.orElseThrow(() -> new DatasetReferenceException(
                "this service holds no uploaded datasets"));
        DatasetEntry entry = datasets.find(id).filter(e -> visibleOwner.test(e.owner())).orElseThrow(() -> new DatasetReferenceException(
                "no uploaded dataset has the id '" + id + "'"));
        return switch (entry.state()) {
            case READY -> entry;
            case INGESTING -> throw new DatasetReferenceException("dataset " + id + " is still being ingested;"
                    + " submit the job when it is READY");
            case FAILED -> throw new DatasetReferenceException("dataset " + id + " FAILED to ingest ("
                    + (entry.failureReason() != null ? entry.failureReason() : "GET /v1/datasets/" + id + " says why")
                    + ") and cannot be trained on; upload it again");
        };
    }

    private DatasetSource.S3Object s3Object(DatasetRef ref) {
        String rest = ref.uri().substring(S3.length());
        int slash = rest.indexOf('/');
        String bucket = slash < 0 ? rest : rest.substring(0, slash);
        String key = slash < 0 ? "" : rest.substring(slash + 1);
        if (!BUCKET.matcher(bucket).matches() || key.isEmpty() || key.endsWith("/")
                || key.getBytes(java.nio.charset.StandardCharsets.UTF_8).length > 1024) {
            throw new DatasetReferenceException("an s3: dataset is s3://bucket/key, a bucket name (3 to 63 "
                    + "lower-case letters, digits, '.', '-') and the key of one object, but is '" + ref.uri() + "'");
        }
        if (!s3Configured) {
            throw new DatasetReferenceException("this service reads no s3: datasets: it has no S3 client"
                    + " (l0.storage.type=s3 configures one)");
        }
        if (!properties.s3AllowedBuckets().contains(bucket)) {
            throw new DatasetReferenceException("bucket '" + bucket + "' is not one this service reads datasets from"
                    + " (l0.datasets.s3-allowed-buckets)");
        }
        String name = key.substring(key.lastIndexOf('/') + 1);
        return new DatasetSource.S3Object(bucket, key, format(ref, name));
    }

    private DatasetSource.Remote remote(DatasetRef ref) {
        URI uri;
        try {
            uri = new URI(ref.uri());
        } catch (URISyntaxException e) {
            throw new DatasetReferenceException("'" + ref.uri() + "' is not a valid URI: " + e.getReason());
        }
        String host = uri.getHost();
        if (host == null || uri.getRawUserInfo() != null || uri.getRawFragment() != null || uri.getPath() == null
                || uri.getPath().isEmpty() || uri.getPath().endsWith("/")) {
            throw new DatasetReferenceException("an https: dataset is https://host[:port]/path/to/file, without"
                    + " user information or fragment, but is '" + ref.uri() + "'");
        }
        String normalHost = host.toLowerCase(Locale.ROOT);
        boolean allowed = properties.httpsAllowedHosts().stream()
                .anyMatch(h -> h.toLowerCase(Locale.ROOT).equals(normalHost));
        if (!allowed) {
            throw new DatasetReferenceException("the host " + host + " is not allowed: https: datasets may come"
                    + " only from the hosts on l0.datasets.https-allowed-hosts"
                    + (properties.httpsAllowedHosts().isEmpty() ? ", which allows none on this service"
                    : " (" + String.join(", ", properties.httpsAllowedHosts()) + ")"));
        }
        if (ref.sha256() == null) {
            throw new DatasetReferenceException("dataset.sha256", "is required for an https: dataset");
        }
        String path = uri.getPath();
        return new DatasetSource.Remote(uri, format(ref, path.substring(path.lastIndexOf('/') + 1)));
    }

    /**
     * The reference's format, or the one its file name tells without doubt: {@code .npz}. A CSV needs its
     * label column, and an archive may hold any of several formats, so these are asked for by name.
     */
    static DatasetFormat format(DatasetRef ref, String fileName) {
        if (ref.format() != null) {
            return ref.format();
        }
        String name = fileName.toLowerCase(Locale.ROOT);
        if (name.endsWith(".npz")) {
            return new DatasetFormat.Npz(null);
        }
        if (name.endsWith(".csv")) {
            throw new DatasetReferenceException("dataset.format.labelColumn", "a CSV dataset needs its label column:"
                    + " give dataset.format as {\"format\": \"csv\", \"labelColumn\": \"<header of the label column>\"}");
        }
        throw new DatasetReferenceException("dataset.format", "the format of '" + fileName + "' cannot be told from"
                + " its name; give dataset.format (npz, npy, csv, idx, cifar or image-folder)");
    }

    /** Names of the complete built-in datasets, sorted. */
    public List<String> builtinNames() {
        Path dir = properties.dir();
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(dir)) {
            return children.filter(p -> readableDataset(p, builtinRoots()).filter(Files::isDirectory).isPresent())
                    .map(p -> p.getFileName().toString()).filter(n -> NAME.matcher(n).matches()).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    public List<Path> allowedRoots() {
        return properties.allowedRoots();
    }

    private List<Path> builtinRoots() {
        return Stream.concat(Stream.of(properties.dir()), properties.allowedRoots().stream()).toList();
    }

    /** A syntactically acceptable absolute path; nothing about the file system is asked yet. */
    private static Path checkedFilePath(String pathText) {
        Path path;
        try {
            path = Path.of(pathText);
        } catch (InvalidPathException e) {
            throw new DatasetReferenceException("'" + pathText + "' is not a valid path");
        }
        if (!path.isAbsolute()) {
            throw new DatasetReferenceException("file: needs an absolute path, e.g. file:/srv/datasets/mnist");
        }
        for (Path part : path) {
            if (part.toString().equals("..") || part.toString().equals(".")) {
                throw new DatasetReferenceException("the path must not contain '.' or '..' segments");
            }
        }
        return path;
    }

    /**
     * The real path of {@code path} when it lies under one of {@code roots} and is a directory holding the four
     * IDX files or a readable regular file; empty for every other case alike (missing, outside, incomplete), so
     * callers refuse in one way.
     */
    private static Optional<Path> readableDataset(Path path, List<Path> roots) {
        Path real;
        try {
            real = path.toRealPath();
        } catch (IOException e) {
            return Optional.empty();
        }
        boolean underARoot = roots.stream().map(DatasetResolver::realPath).flatMap(Optional::stream)
                .anyMatch(real::startsWith);
        boolean usable = Files.isDirectory(real) ? IdxReader.isComplete(real)
                : Files.isRegularFile(real) && Files.isReadable(real);
        if (!underARoot || !usable) {
            return Optional.empty();
        }
        return Optional.of(real);
    }

    /** A configured root that does not exist allows nothing. */
    private static Optional<Path> realPath(Path root) {
        try {
            return Optional.of(root.toRealPath());
        } catch (IOException e) {
            return Optional.empty();
        }
    }

    /** Rows and columns from the training images' header, without reading the images. */
    private static int[] imageShape(Path dir) {
        Path file;
        try {
            file = IdxReader.locate(dir, IdxReader.FILES.get(0));
        } catch (DatasetFormatException e) {
            throw new DatasetReferenceException(e.getMessage());
        }
        try (DataInputStream data = IdxReader.open(file)) {
            int magic = data.readInt();
            if (magic != 0x00000803) {
                throw new DatasetReferenceException(file.getFileName() + " is not an IDX image file");
            }
            data.readInt();
            return new int[] {data.readInt(), data.readInt()};
        } catch (DatasetFormatException e) {
            throw new DatasetReferenceException(e.getMessage());
        } catch (IOException e) {
            throw new DatasetReferenceException(file.getFileName() + " cannot be read: " + FileFailures.reason(e));
        }
    }
}
