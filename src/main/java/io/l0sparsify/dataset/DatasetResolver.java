package io.l0sparsify.dataset;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.springframework.stereotype.Component;

/**
 * Turns a dataset URI into a directory, or refuses it. {@code builtin:NAME} is the sub-directory NAME of the
 * datasets directory; {@code file:/abs/dir} is accepted only when its real path (every symlink resolved)
 * lies under one of the allowed roots, so neither {@code ..} nor a symlink can lead outside them.
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
            dir = properties.dir().resolve(name);
            if (!Files.isDirectory(dir) || !IdxReader.isComplete(dir)) {
                throw new DatasetReferenceException("unknown dataset '" + uri + "'; available: "
                        + String.join(", ", builtinNames().stream().map(n -> BUILTIN + n).toList()));
            }
        } else if (uri.startsWith(FILE)) {
            dir = checkedFilePath(uri.substring(FILE.length()));
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
            return children.filter(Files::isDirectory).filter(IdxReader::isComplete)
                    .map(p -> p.getFileName().toString()).filter(n -> NAME.matcher(n).matches()).sorted().toList();
        } catch (IOException e) {
            return List.of();
        }
    }

    public List<Path> allowedRoots() {
        return properties.allowedRoots();
    }

    private Path checkedFilePath(String pathText) {
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
        Path real;
        try {
            real = path.toRealPath();
        } catch (IOException e) {
            throw new DatasetReferenceException("no directory '" + pathText + "'");
        }
        List<Path> roots = new ArrayList<>();
        for (Path root : properties.allowedRoots()) {
            try {
                roots.add(root.toRealPath());
            } catch (IOException e) {
                // a configured root that does not exist allows nothing
            }
        }
        if (roots.stream().noneMatch(real::startsWith)) {
            throw new DatasetReferenceException("'" + pathText + "' is outside the directories this service may "
                    + "read datasets from");
        }
        if (!Files.isDirectory(real) || !IdxReader.isComplete(real)) {
            throw new DatasetReferenceException("'" + pathText + "' does not hold the four IDX files "
                    + String.join(", ", IdxReader.FILES) + " (optionally gzipped)");
        }
        return real;
    }

    /** Rows and columns from the training images' header, without reading the images. */
    private static int[] imageShape(Path dir) {
        Path file = Files.isRegularFile(dir.resolve(IdxReader.FILES.get(0))) ? dir.resolve(IdxReader.FILES.get(0))
                : dir.resolve(IdxReader.FILES.get(0) + ".gz");
        try (InputStream raw = Files.newInputStream(file);
                InputStream in = file.toString().endsWith(".gz") ? new GZIPInputStream(raw) : raw;
                DataInputStream data = new DataInputStream(in)) {
            int magic = data.readInt();
            if (magic != 0x00000803) {
                throw new DatasetReferenceException(file.getFileName() + " is not an IDX image file");
            }
            data.readInt();
            return new int[] {data.readInt(), data.readInt()};
        } catch (IOException e) {
            throw new DatasetReferenceException(file.getFileName() + " cannot be read: " + e.getMessage());
        }
    }
}
