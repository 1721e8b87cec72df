package io.l0sparsify.dataset.format;

import io.l0sparsify.dataset.DatasetFormatException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Enumeration;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.archivers.zip.ZipArchiveEntry;
import org.apache.commons.compress.archivers.zip.ZipFile;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * Reads the regular files of an uploaded zip, tar or tar.gz one after another (Apache Commons Compress), never
 * extracting anything to disk. The kind is told by the file's first bytes, not its name. Every entry's name is
 * checked before its data is read: one that is absolute or climbs out of the archive's folder ({@code ../}, the
 * "zip-slip" path) refuses the whole archive, since a tool extracting it would write outside its folder. Every
 * decompressed byte is charged to the {@link ExpansionBudget}.
 *
 * <p>Directories, links and other non-regular tar entries are passed over, and so are the folders and files
 * that archivers of desktop systems add ({@code __MACOSX/}, {@code .DS_Store}, {@code ._name}).
 */
final class Archive {

    /** The containers an upload may be. */
    enum Kind {
        ZIP("zip"),
        TAR("tar"),
        TAR_GZ("tar.gz");

        private final String label;

        Kind(String label) {
            this.label = label;
        }
    }

    /** Every container kind. */
    static final Set<Kind> ANY = Set.of(Kind.ZIP, Kind.TAR, Kind.TAR_GZ);

    /** Receives one regular file of the archive; the stream is valid only during the call. */
    @FunctionalInterface
    interface EntryHandler {
        /**
         * @param name the entry's path inside the archive, with {@code /} separators and no {@code ./} parts
         * @param in its decompressed bytes
         */
        void accept(String name, InputStream in) throws IOException;
    }

    private Archive() {}

    /**
     * Calls {@code handler} for every regular file in {@code file}, which must be one of the {@code accepted}
     * kinds. An entry the handler reads only partly is skipped over.
     */
    static void forEachEntry(Path file, Set<Kind> accepted, String formatName, ExpansionBudget budget,
            EntryHandler handler) {
        Kind kind = detect(file);
        if (kind == null || !accepted.contains(kind)) {
            throw new DatasetFormatException(file, "is " + (kind == null ? "not an archive" : "a " + kind.label)
                    + ", but a " + formatName + " dataset is " + describe(accepted)
                    + " (the file may be truncated or corrupt)");
        }
        switch (kind) {
            case ZIP -> readZip(file, budget, handler);
            case TAR -> readTar(file, false, budget, handler);
            case TAR_GZ -> readTar(file, true, budget, handler);
        }
    }

    /** The last part of an entry's path. */
    static String baseName(String entryName) {
        return entryName.substring(entryName.lastIndexOf('/') + 1);
    }

    /** {@code in} decompressed as gzip, every byte charged to {@code budget}. */
    static InputStream gunzip(InputStream in, ExpansionBudget budget) throws IOException {
        return budget.count(GzipCompressorInputStream.builder().setInputStream(in).setDecompressConcatenated(true)
                .get());
    }

    private static String describe(Set<Kind> kinds) {
        return kinds.stream().sorted().map(k -> "a " + k.label).collect(Collectors.joining(" or "));
    }

    private static Kind detect(Path file) {
        byte[] head;
        try (InputStream in = Files.newInputStream(file)) {
            head = in.readNBytes(512);
        } catch (NoSuchFileException e) {
            throw new DatasetFormatException(file, "not found");
        } catch (IOException e) {
            throw new DatasetFormatException(file, "cannot be read: " + e.getMessage(), e);
        }
        if (head.length >= 4 && head[0] == 'P' && head[1] == 'K'
                && ((head[2] == 3 && head[3] == 4) || (head[2] == 5 && head[3] == 6))) {
            return Kind.ZIP;
        }
        if (GzipCompressorInputStream.matches(head, head.length)) {
            return Kind.TAR_GZ;
        }
        if (isTarHeader(head)) {
            return Kind.TAR;
        }
        return null;
    }

    /** POSIX, GNU and pax tar headers all carry "ustar" at offset 257. */
    private static boolean isTarHeader(byte[] block) {
        return block.length >= 262 && Arrays.equals(block, 257, 262,
                "ustar".getBytes(StandardCharsets.US_ASCII), 0, 5);
    }

    private static void readZip(Path file, ExpansionBudget budget, EntryHandler handler) {
        ZipFile zip;
        try {
            zip = ZipFile.builder().setPath(file).get();
        } catch (IOException e) {
            throw new DatasetFormatException(file, "is not a readable zip archive (truncated or corrupt): "
                    + reason(e, file), e);
        }
        try (zip) {
            List<ZipArchiveEntry> entries = new ArrayList<>();
            for (Enumeration<ZipArchiveEntry> all = zip.getEntriesInPhysicalOrder(); all.hasMoreElements(); ) {
                ZipArchiveEntry entry = all.nextElement();
                checkName(file, entry.getName());
                entries.add(entry);
            }
            for (ZipArchiveEntry entry : entries) {
                String name = normalise(entry.getName());
                if (entry.isDirectory() || entry.isUnixSymlink() || isJunk(name)) {
                    continue;
                }
                if (!zip.canReadEntryData(entry)) {
                    throw new DatasetFormatException(file, name + ": encrypted, or compressed with a method this"
                            + " service cannot read (use deflate or store)");
                }
                try (InputStream in = budget.count(zip.getInputStream(entry))) {
                    handler.accept(name, in);
                } catch (IOException e) {
                    throw new DatasetFormatException(file, name + ": cannot be read (truncated or corrupt): "
                            + reason(e, file), e);
                }
            }
        } catch (IOException e) {
            throw new DatasetFormatException(file, "cannot be read: " + reason(e, file), e);
        }
    }

    private static void readTar(Path file, boolean gzipped, ExpansionBudget budget, EntryHandler handler) {
        String current = null;
        try (InputStream raw = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
            InputStream in = gzipped ? gunzip(raw, budget) : budget.count(raw);
            if (gzipped) {
                in = new BufferedInputStream(in, 1 << 16);
                in.mark(512);
                byte[] head = in.readNBytes(512);
                in.reset();
                if (!isTarHeader(head)) {
                    throw new DatasetFormatException(file, "is gzip, but what it holds is not a tar archive");
                }
            }
            TarArchiveInputStream tar = new TarArchiveInputStream(in);
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                current = null;
                checkName(file, entry.getName());
                String name = normalise(entry.getName());
                if (!entry.isFile() || entry.isLink() || entry.isSymbolicLink() || isJunk(name)) {
                    continue;
                }
                current = name;
                handler.accept(name, tar);
            }
        } catch (IOException e) {
            String where = current == null ? "" : current + ": ";
            throw new DatasetFormatException(file, where + "cannot be read (truncated or corrupt "
                    + (gzipped ? "tar.gz" : "tar") + "): " + reason(e, file), e);
        }
    }

    /** Refuses an absolute path or one that climbs out with {@code ..}. */
    static void checkName(Path file, String name) {
        String slashed = name.replace('\\', '/');
        boolean absolute = slashed.startsWith("/") || (slashed.length() > 1 && slashed.charAt(1) == ':');
        boolean climbs = Arrays.asList(slashed.split("/")).contains("..");
        if (absolute || climbs || name.indexOf('\0') >= 0) {
            throw new DatasetFormatException(file, "holds an entry whose path leaves the archive's folder ("
                    + printable(name) + "); such an archive is refused");
        }
    }

    private static String normalise(String name) {
        return Arrays.stream(name.replace('\\', '/').split("/"))
                .filter(part -> !part.isEmpty() && !part.equals("."))
                .collect(Collectors.joining("/"));
    }

    private static boolean isJunk(String name) {
        String base = baseName(name);
        return name.startsWith("__MACOSX/") || base.equals(".DS_Store") || base.startsWith("._");
    }

    /** An entry name fit for a message: control characters shown as '?', at most 200 characters. */
    static String printable(String name) {
        String clean = name.codePoints().map(c -> Character.isISOControl(c) ? '?' : c)
                .collect(StringBuilder::new, StringBuilder::appendCodePoint, StringBuilder::append).toString();
        return clean.length() > 200 ? clean.substring(0, 200) + "…" : clean;
    }

    /** A library's message without the server-side path of the upload. */
    static String reason(Exception e, Path file) {
        String message = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        return message.replace(file.toAbsolutePath().toString(), file.getFileName().toString())
                .replace(file.toString(), file.getFileName().toString());
    }
}
