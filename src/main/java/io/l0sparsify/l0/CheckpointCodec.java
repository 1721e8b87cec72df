package io.l0sparsify.l0;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * The byte layout of {@link TrainingCheckpoint#state()}: a magic word, a version byte that is checked on
 * read, the parameter values and the moving-average shadows in parameter order, then (version 2) Adam's
 * moments and step count. Version 1 checkpoints, without the moments, still load; their run restarts them.
 */
final class CheckpointCodec {

    private static final int MAGIC = 0x4C30434B; // "L0CK"
    private static final byte VERSION = 2;

    record State(List<float[]> parameters, List<float[]> shadows, long averageUpdates,
            ResumableAdam.State optimizer) {}

    private CheckpointCodec() {}

    static byte[] encode(State state) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeByte(VERSION);
            writeArrays(out, state.parameters());
            writeArrays(out, state.shadows());
            out.writeLong(state.averageUpdates());
            writeArrays(out, state.optimizer().means());
            writeArrays(out, state.optimizer().variances());
            out.writeLong(state.optimizer().steps());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    static State decode(byte[] data) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(data))) {
            if (in.readInt() != MAGIC) {
                throw new IllegalArgumentException("not a training checkpoint");
            }
            byte version = in.readByte();
            if (version != 1 && version != VERSION) {
                throw new IllegalArgumentException("checkpoint version " + version
                        + " is not supported (this build reads 1 to " + VERSION + ")");
            }
            List<float[]> parameters = readArrays(in);
            List<float[]> shadows = readArrays(in);
            long averageUpdates = in.readLong();
            ResumableAdam.State optimizer = version == 1 ? new ResumableAdam.State(List.of(), List.of(), 0)
                    : new ResumableAdam.State(readArrays(in), readArrays(in), in.readLong());
            return new State(parameters, shadows, averageUpdates, optimizer);
        } catch (IOException e) {
            throw new IllegalArgumentException("truncated training checkpoint", e);
        }
    }

    private static void writeArrays(DataOutputStream out, List<float[]> arrays) throws IOException {
        out.writeInt(arrays.size());
        for (float[] array : arrays) {
            out.writeInt(array.length);
            // one bulk copy per array (big-endian, as writeFloat would write it) instead of a call per value
            ByteBuffer bytes = ByteBuffer.allocate(array.length * Float.BYTES);
            bytes.asFloatBuffer().put(array);
            out.write(bytes.array());
        }
    }

    private static List<float[]> readArrays(DataInputStream in) throws IOException {
        int count = in.readInt();
        List<float[]> arrays = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            float[] array = new float[in.readInt()];
            byte[] bytes = new byte[array.length * Float.BYTES];
            in.readFully(bytes);
            ByteBuffer.wrap(bytes).asFloatBuffer().get(array);
            arrays.add(array);
        }
        return arrays;
    }
}
