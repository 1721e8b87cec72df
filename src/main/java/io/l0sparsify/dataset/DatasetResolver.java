package io.l0sparsify.dataset;

import java.io.DataInputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.springframework.stereotype.Component;

/**
 * Turns a dataset URI into a directory, or refuses it. {@code builtin:NAME} is the sub-directory NAME of the
 * datasets directory; {@code file:/abs/dir} names a directory itself. Either is accepted only when its real
 * path (every symlink resolved) lies under a root it may come from: the allowed roots for {@code file:},
 * these and the datasets directory for {@code builtin:}; neither {@code ..} nor a symlink leads outside
 * them, and {@link IdxReader} checks every file inside the same way. A path that is missing, outside the
 * roots or incomplete is refused in one message, so a refusal tells nothing about what exists on the server.
 */
@Component
public class DatasetResolver {

    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]{0,63}");
    private static final String BUILTIN = "builtin:";
    private static final String FILE = "file:";

    private final DatasetProperties properties;

    public DatasetResolver(DatasetProperties properties) {
        this.properties = properties;
    }

    /** A usable dataset for {@code uri}, or {@link DatasetReferenceException} saying why not. */
    public ResolvedDataset resolve(String uri) {
        Path dir;
        if (uri.startsWith(BUILTIN)) {
            String name = uri.substring(BUILTIN.length());
            if (!NAME.matcher(name).matches() || name.contains("..")) {
                throw new DatasetReferenceException("'" + name + "' is not a dataset name (lower-case letters, "
                        + "digits, '.', '_', '-')");
            }
            dir = readableDataset(properties.dir().resolve(name), builtinRoots())
                    .orElseThrow(() -> new DatasetReferenceException("unknown dataset '" + uri + "'; available: "
                            + String.join(", ", builtinNames().stream().map(n -> BUILTIN + n).toList())));
        } else if (uri.startsWith(FILE)) {
            String pathText = uri.substring(FILE.length());
            dir = readableDataset(checkedFilePath(pathText), properties.allowedRoots())
                    .orElseThrow(() -> new DatasetReferenceException("'" + pathText + "' is not a dataset "
                            + "directory this service may read: it must lie inside one of the allowed roots and "
                            + "hold the four IDX files " + String.join(", ", IdxReader.FILES)
                            + " (optionally gzipped)"));
        } else {
            throw new DatasetReferenceException("must be builtin:NAME or file:/absolute/dir but is '" + uri + "'");
        }
        int[] shape = imageShape(dir);
        return new ResolvedDataset(uri, dir, shape[0], shape[1]);
    }

    /** Names of the complete built-in datasets, sorted. */
    public List<String> builtinNames() {
        Path dir = properties.dir();
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> children = Files.list(dir)) {
            return children.filter(p -> readableDataset(p, builtinRoots()).isPresent())
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
     * The real path of {@code dir} when it is a directory under one of {@code roots} holding the four files;
     * empty for every other case alike (missing, outside, a file, incomplete), so callers refuse in one way.
     */
    private static Optional<Path> readableDataset(Path dir, List<Path> roots) {
        Path real;
        try {
            real = dir.toRealPath();
        } catch (IOException e) {
            return Optional.empty();
        }
        boolean underARoot = roots.stream().map(DatasetResolver::realPath).flatMap(Optional::stream)
                .anyMatch(real::startsWith);
        if (!underARoot || !Files.isDirectory(real) || !IdxReader.isComplete(real)) {
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
            throw new DatasetReferenceException(file.getFileName() + " cannot be read: " + e.getMessage());
        }
    }
}
