package io.l0sparsify.model;

import io.l0sparsify.job.FieldError;
import io.l0sparsify.job.JobValidationException;
import io.l0sparsify.security.Caller;
import io.l0sparsify.spec.SpecLimits;
import io.l0sparsify.storage.ModelBlobStore;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.function.LongConsumer;
import java.util.stream.Stream;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.stereotype.Service;

/**
 * Uploaded models: an upload streams to a temporary file with its SHA-256 (never held whole in memory, refused
 * past {@code l0.models.max-upload-size}), is read and checked by {@link OnnxModelReader} while the request waits,
 * and only a model that passes is kept: its file in the {@link ModelBlobStore}, its row in the {@link ModelStore}.
 * A refused upload leaves nothing behind.
 */
@Service
public class ModelService {

    /** The longest model name. */
    public static final int MAX_NAME = 200;
    private static final int BUFFER = 1 << 16;
    private static final String CURSOR_PREFIX = "m:";
    /** The ending of an upload still arriving or being checked. */
    static final String PART = ".onnx.part";

    private final ModelStore store;
    private final ModelBlobStore blobs;
    private final OnnxModelReader reader;
    private final ModelReferences references;
    private final Path uploadDir;
    private final long maxUploadBytes;

    ModelService(ModelStore store, ModelBlobStore blobs, ModelProperties properties,
            ObjectProvider<ModelReferences> references) {
        this.store = store;
        this.blobs = blobs;
        this.reader = new OnnxModelReader(properties.readerLimits());
        this.references = references.getIfAvailable(() -> ModelReferences.NONE);
        this.uploadDir = properties.uploadDir().toAbsolutePath().normalize();
        this.maxUploadBytes = properties.maxUploadSize().toBytes();
    }

    public long maxUploadBytes() {
        return maxUploadBytes;
    }

    /**
     * Removes the partial uploads a process left behind when it ended mid-upload (files of the upload area not
     * changed for {@code olderThan}); called at start-up. The area is one process's own.
     *
     * @return how many were removed
     */
    public int removeAbandonedUploads(Duration olderThan) throws IOException {
        if (!Files.isDirectory(uploadDir)) {
            return 0;
        }
        Instant cutoff = Instant.now().minus(olderThan);
        int removed = 0;
        try (Stream<Path> files = Files.list(uploadDir)) {
            for (Path file : files.filter(f -> f.getFileName().toString().endsWith(PART)).toList()) {
                if (Files.getLastModifiedTime(file).toInstant().isBefore(cutoff) && Files.deleteIfExists(file)) {
                    removed++;
                }
            }
        }
        return removed;
    }

    /**
     * Receives, reads and keeps a model.
     *
     * @param declaredLength the length the client announced, or -1; past the limit the body is refused unread
     * @param name the model's name; null or blank: the client's file name, else {@code model}
     * @param clientFileName the name the client gave the file, or null
     * @param owner the principal the model will belong to
     * @param admitSize called with the size of the whole file once received, before it is read or kept; throws
     *     to refuse it (a quota), and the file is removed
     * @throws ModelUploadTooLargeException past the size limit
     * @throws ModelRejectedException when the file is not a supported model, naming every problem
     * @throws JobValidationException when the name is too long
     */
    public UploadedModel upload(InputStream body, long declaredLength, String name, String clientFileName,
            String owner, LongConsumer admitSize) throws IOException {
        String modelName = nameOf(name, clientFileName);
        if (declaredLength > maxUploadBytes) {
            throw new ModelUploadTooLargeException(maxUploadBytes);
        }
        Files.createDirectories(uploadDir);
        Path file = uploadDir.resolve(UUID.randomUUID() + PART);
        try {
            MessageDigest sha256 = sha256();
            long size = 0;
            byte[] buffer = new byte[BUFFER];
            try (OutputStream out = Files.newOutputStream(file)) {
                int read;
                while ((read = body.read(buffer)) >= 0) {
                    size += read;
                    if (size > maxUploadBytes) {
                        throw new ModelUploadTooLargeException(maxUploadBytes);
                    }
                    sha256.update(buffer, 0, read);
                    out.write(buffer, 0, read);
                }
            }
            admitSize.accept(size);
            ModelGraph graph = reader.read(file);
            String id = UUID.randomUUID().toString();
            blobs.put(id, file);
            try {
                return store.insert(id, modelName, HexFormat.of().formatHex(sha256.digest()), size, graph,
                        owner);
            } catch (RuntimeException e) {
                // no file without its row
                blobs.delete(id);
                throw e;
            }
        } finally {
            Files.deleteIfExists(file);
        }
    }

    /** The model, when {@code caller} may see it. */
    public Optional<UploadedModel> find(String id, Caller caller) {
        return store.find(id).filter(model -> caller.sees(model.owner()));
    }

    /** The bytes a principal's models take in the store (a quota counts them). */
    public long storedBytes(String owner) {
        return store.storedBytes(owner);
    }

    /** Opens a model's original file; empty when there is no such model, or {@code caller} may not see it. */
    public Optional<InputStream> open(String id, Caller caller) throws IOException {
        return find(id, caller).isEmpty() ? Optional.empty() : blobs.open(id);
    }

    /**
     * A page of the models {@code caller} may see, newest first; {@code pageToken} from the previous page's
     * {@code nextPageToken}, or null.
     */
    public ModelPage list(int pageSize, String pageToken, Caller caller) {
        long before = pageToken == null ? Long.MAX_VALUE : decodeCursor(pageToken);
        List<UploadedModel> rows = store.page(before, pageSize + 1, caller.ownerFilter());
        if (rows.size() <= pageSize) {
            return new ModelPage(rows, null);
        }
        List<UploadedModel> items = rows.subList(0, pageSize);
        return new ModelPage(List.copyOf(items), encodeCursor(items.get(items.size() - 1).seq()));
    }

    /**
     * Deletes a model and its file, unless queued or running jobs read it ({@link ModelInUseException}).
     *
     * @return false when there is no such model, or {@code caller} may not see it
     */
    public boolean delete(String id, Caller caller) throws IOException {
        if (find(id, caller).isEmpty()) {
            return false;
        }
        List<String> users = references.unfinishedJobsUsing(id);
        if (!users.isEmpty()) {
            throw new ModelInUseException(id, users);
        }
        boolean deleted = store.delete(id);
        blobs.delete(id);
        return deleted;
    }

    /**
     * The network the uploaded model {@code uri} ({@code model:ID}) imports as, when {@code caller} may see it.
     *
     * @throws ModelImportException when the model exists but cannot be fine-tuned (naming the node), or exceeds
     *     {@code limits}
     */
    public Optional<ImportedNetwork> imported(String uri, Caller caller, SpecLimits limits) throws IOException {
        String id = idOf(uri);
        if (id == null || find(id, caller).isEmpty()) {
            return Optional.empty();
        }
        return importedById(id, limits);
    }

    /**
     * The uploaded model a job fine-tunes, read once from the stored file when the job runs (the job was admitted
     * with it, for its owner): the file as it came, to measure, and the network it imports as, to train. Empty
     * when the model is gone.
     *
     * @throws IllegalArgumentException (a {@link ModelImportException} among others) when the file no longer
     *     reads or imports
     */
    public Optional<UploadForRun> forRun(String uri, SpecLimits limits) throws IOException {
        String id = idOf(uri);
        Optional<InputStream> stored = id == null || store.find(id).isEmpty() ? Optional.empty() : blobs.open(id);
        if (stored.isEmpty()) {
            return Optional.empty();
        }
        byte[] file;
        try (InputStream in = stored.get()) {
            file = in.readAllBytes();
        }
        return Optional.of(new UploadForRun(file,
                NetworkImport.of(reader.read(new ByteArrayInputStream(file)), limits)));
    }

    /** An uploaded model as a run uses it: the stored file and the network it imports as. */
    public record UploadForRun(byte[] file, ImportedNetwork network) {}

    private Optional<ImportedNetwork> importedById(String id, SpecLimits limits) throws IOException {
        Optional<InputStream> file = blobs.open(id);
        if (file.isEmpty()) {
            return Optional.empty();
        }
        ModelGraph graph;
        try (InputStream in = file.get()) {
            graph = reader.read(in);
        }
        return Optional.of(NetworkImport.of(graph, limits));
    }

    private static String idOf(String uri) {
        if (uri == null || !uri.startsWith(UploadedModel.URI_SCHEME)) {
            return null;
        }
        String id = uri.substring(UploadedModel.URI_SCHEME.length());
        return id.isEmpty() ? null : id;
    }

    /** A page of models; {@code nextPageToken} is null on the last page. */
    public record ModelPage(List<UploadedModel> items, String nextPageToken) {}

    private static String nameOf(String name, String clientFileName) {
        List<FieldError> errors = new ArrayList<>();
        String chosen = name;
        if (chosen == null || chosen.isBlank()) {
            chosen = "model";
            if (clientFileName != null) {
                String last = clientFileName.substring(Math.max(clientFileName.lastIndexOf('/'),
                        clientFileName.lastIndexOf('\\')) + 1).strip();
                if (!last.isEmpty() && last.length() <= MAX_NAME) {
                    chosen = last;
                }
            }
        } else if (chosen.length() > MAX_NAME) {
            errors.add(new FieldError("name", "must be at most " + MAX_NAME + " characters but has "
                    + chosen.length()));
        } else if (chosen.chars().anyMatch(Character::isISOControl)) {
            errors.add(new FieldError("name", "must not contain control characters"));
        }
        if (!errors.isEmpty()) {
            throw new JobValidationException(errors);
        }
        return chosen;
    }

    private static String encodeCursor(long seq) {
        return Base64.getUrlEncoder().withoutPadding()
                .encodeToString((CURSOR_PREFIX + seq).getBytes(StandardCharsets.UTF_8));
    }

    private static long decodeCursor(String token) {
        try {
            String text = new String(Base64.getUrlDecoder().decode(token), StandardCharsets.UTF_8);
            if (text.startsWith(CURSOR_PREFIX)) {
                return Long.parseLong(text.substring(CURSOR_PREFIX.length()));
            }
        } catch (IllegalArgumentException e) {
            // falls through to the validation error below
        }
        throw new JobValidationException("pageToken", "is not a token this service issued; pass the "
                + "nextPageToken of the previous page");
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new UncheckedIOException(new IOException("SHA-256 unavailable", e));
        }
    }
}
