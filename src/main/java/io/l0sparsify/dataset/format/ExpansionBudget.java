package io.l0sparsify.dataset.format;

import io.l0sparsify.dataset.DatasetFormatException;
import io.l0sparsify.dataset.IngestLimits;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;

/**
 * Counts the bytes that decompression produces while one uploaded file is read, and stops the read as soon as
 * they pass {@link IngestLimits#maxExpandedBytes()} or {@link IngestLimits#maxExpansionRatio()} times the file's
 * own size: an archive or gzip bomb fails after a bounded amount of work, whatever its headers claim.
 *
 * <p>The ratio is not applied to the first {@link #RATIO_FREE_BYTES}: a tiny legitimate archive (a tar padded
 * to its 10 KB record, gzipped to 200 bytes) expands far more than any ratio a real bomb is caught by, and a
 * megabyte is harmless.
 */
final class ExpansionBudget {

    /** Expanded bytes allowed whatever the ratio. */
    static final long RATIO_FREE_BYTES = 1 << 20;

    private final Path file;
    private final IngestLimits limits;
    private final long compressedSize;
    private final long ratioLimit;
    private long expanded;

    ExpansionBudget(Path file, IngestLimits limits, long compressedSize) {
        this.file = file;
        this.limits = limits;
        this.compressedSize = compressedSize;
        long byRatio = compressedSize > Long.MAX_VALUE / limits.maxExpansionRatio()
                ? Long.MAX_VALUE : compressedSize * limits.maxExpansionRatio();
        this.ratioLimit = Math.max(byRatio, RATIO_FREE_BYTES);
    }

    IngestLimits limits() {
        return limits;
    }

    /** Bytes that may still be produced before the total limit; what a header's promise is checked against. */
    long remaining() {
        return limits.maxExpandedBytes() - expanded;
    }

    /** Records {@code bytes} more decompressed bytes, or fails naming the limit passed. */
    void charge(long bytes) {
        expanded += bytes;
        if (expanded > limits.maxExpandedBytes()) {
            throw new DatasetFormatException(file, "holds more than the limit of " + limits.maxExpandedBytes()
                    + " bytes once decompressed (an archive or gzip bomb, or a dataset too large for this service)");
        }
        if (expanded > ratioLimit) {
            throw new DatasetFormatException(file, "expands more than " + limits.maxExpansionRatio()
                    + " times its size of " + compressedSize + " bytes when decompressed (an archive or gzip bomb?)");
        }
    }

    /**
     * Refuses a header that promises more than the budget has left, before anything is allocated for it.
     *
     * @param what names the promise, e.g. {@code x_train.npy: shape (60000, 28, 28) of uint8}
     */
    void checkPromise(long bytes, String what) {
        if (bytes < 0 || bytes > remaining()) {
            throw new DatasetFormatException(file, what + " needs " + (bytes < 0 ? "more than 2^63" : bytes)
                    + " bytes, more than the " + remaining() + " bytes left of the limit of "
                    + limits.maxExpandedBytes() + " bytes of data");
        }
    }

    /** {@code in}, charging every byte read from it. */
    InputStream count(InputStream in) {
        return new FilterInputStream(in) {
            @Override
            public int read() throws IOException {
                int b = super.read();
                if (b >= 0) {
                    charge(1);
                }
                return b;
            }

            @Override
            public int read(byte[] buffer, int offset, int length) throws IOException {
                int n = super.read(buffer, offset, length);
                if (n > 0) {
                    charge(n);
                }
                return n;
            }

            @Override
            public long skip(long n) throws IOException {
                // read rather than skip, so that skipped bytes are decompressed bytes counted like any other
                byte[] scratch = new byte[(int) Math.min(n, 8192)];
                long skipped = 0;
                while (skipped < n) {
                    int r = read(scratch, 0, (int) Math.min(scratch.length, n - skipped));
                    if (r < 0) {
                        break;
                    }
                    skipped += r;
                }
                return skipped;
            }
        };
    }
}
