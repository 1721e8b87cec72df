package io.l0sparsify.storage;

import io.l0sparsify.storage.CheckpointStore.StoredCheckpoint;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;

/** A stored checkpoint as bytes: a magic number and format version, the epoch and step, then the core's state. */
final class CheckpointFormat {

    private static final int MAGIC = 0x4C30434B; // "L0CK"
    private static final int VERSION = 1;

    private CheckpointFormat() {}

    static byte[] encode(StoredCheckpoint checkpoint) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(checkpoint.state().length + 32);
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(VERSION);
            out.writeInt(checkpoint.epochsCompleted());
            out.writeLong(checkpoint.step());
            out.writeInt(checkpoint.state().length);
            out.write(checkpoint.state());
        } catch (IOException e) {
            throw new IllegalStateException("in-memory write failed", e);
        }
        return bytes.toByteArray();
    }

    static StoredCheckpoint decode(String jobId, byte[] bytes) throws IOException {
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
            return new StoredCheckpoint(epochs, step, state);
        }
    }
}
