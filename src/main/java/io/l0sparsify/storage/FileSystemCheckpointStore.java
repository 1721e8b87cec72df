package io.l0sparsify.storage;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.springframework.stereotype.Component;

/**
 * Checkpoints as {@code <l0.storage.dir>/checkpoints/<jobId>.ckpt}: a magic number and format version, the
 * epoch and step, then the core's state. Written to a temporary name and renamed, so a crash mid-write
 * leaves the previous checkpoint intact.
 */
@Component
public class FileSystemCheckpointStore implements CheckpointStore {

    private static final int MAGIC = 0x4C30434B; // "L0CK"
    private static final int VERSION = 1;
    private static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9-]{1,64}");

    private final Path dir;

    public FileSystemCheckpointStore(StorageProperties properties) {
        this.dir = properties.dir().toAbsolutePath().normalize().resolve("checkpoints");
    }

    @Override
    public void put(String jobId, StoredCheckpoint checkpoint) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(checkpoint.state().length + 32);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(checkpoint.epochsCompleted());
            out.writeLong(checkpoint.step());
            out.writeInt(checkpoint.state().length);
            out.write(checkpoint.state());
        }
        Files.createDirectories(dir);
        Path target = fileOf(jobId);
        Path temp = dir.resolve("." + jobId + ".tmp-" + UUID.randomUUID());
        try {
            Files.write(temp, bytes.toByteArray());
            Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } finally {
            Files.deleteIfExists(temp);
        }
    }

    @Override
    public Optional<StoredCheckpoint> get(String jobId) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(fileOf(jobId));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        }
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            int magic = in.readInt();
            int version = in.readInt();
            if (magic != MAGIC || version != VERSION) {
                throw new IOException("checkpoint of job " + jobId + " has an unknown format (magic 0x"
                        + Integer.toHexString(magic) + ", version " + version + ")");
            }
            int epochs = in.readInt();
            long step = in.readLong();
            byte[] state = new byte[in.readInt()];
            in.readFully(state);
            return Optional.of(new StoredCheckpoint(epochs, step, state));
        }
    }

    @Override
    public void delete(String jobId) throws IOException {
        Files.deleteIfExists(fileOf(jobId));
    }

    private Path fileOf(String jobId) {
        if (!JOB_ID.matcher(jobId).matches()) {
            throw new IllegalArgumentException("not a job id: " + jobId);
        }
        return dir.resolve(jobId + ".ckpt");
    }
}
