package io.l0sparsify.dataset.format;

import io.l0sparsify.dataset.DatasetFormatException;
import java.nio.file.Path;
import java.util.Arrays;

/** A byte array that grows as data arrive, so that nothing is sized from a header's promise. */
final class GrowableBytes {

    private final Path file;
    private final String entry;
    private byte[] bytes = new byte[1 << 12];
    private int size;

    /** For data of {@code entry} in {@code file}, named when they outgrow one array. */
    GrowableBytes(Path file, String entry) {
        this.file = file;
        this.entry = entry;
    }

    void append(byte[] from, int offset, int length) {
        ensure(length);
        System.arraycopy(from, offset, bytes, size, length);
        size += length;
    }

    void append(byte b) {
        ensure(1);
        bytes[size++] = b;
    }

    int size() {
        return size;
    }

    byte[] toArray() {
        return Arrays.copyOf(bytes, size);
    }

    private void ensure(int more) {
        long needed = (long) size + more;
        if (needed > NpyArray.MAX_ARRAY) {
            throw new DatasetFormatException(file, entry + ": holds more bytes than one array holds ("
                    + NpyArray.MAX_ARRAY + ")");
        }
        if (needed > bytes.length) {
            bytes = Arrays.copyOf(bytes, (int) Math.min(NpyArray.MAX_ARRAY, Math.max(needed, 2L * bytes.length)));
        }
    }
}
