package io.l0sparsify.l0;

import com.sun.jna.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How glibc's {@code malloc}, which libtorch's CPU allocator calls for every tensor, keeps freed memory: for the whole
 * process, set once when the engine is first used ({@link Libtorch#engine()}).
 *
 * <p>Why: a training step allocates and frees the same large temporaries every time (a convolution's unfolded input,
 * activations and their gradients: megabytes each). glibc decides by its own history whether such a block comes from
 * its heap, where freed memory is reused, or from a fresh {@code mmap} that it unmaps again on {@code free}, and it
 * hands memory at the top of its heap back to the kernel once more than a threshold is free there. Both thresholds
 * move with what the process freed before, so the same run can settle either way: every page of a fresh mapping
 * costs a page fault and a zeroed page when first written. Measured on the project's 2-CPU machine, where a fault
 * costs roughly 10–20 µs (a virtual machine), in three alternating pairs of 400-step LeNet-5-Caffe runs: 1 421–2 067
 * examples/s with 651 217–1 005 221 page faults a run with glibc's own thresholds, 2 579–2 852 with 98 693–138 506
 * with these (docs/benchmarks/step-profile.md).
 *
 * <p>With {@link #apply} a block up to {@value #MMAP_THRESHOLD_BYTES} bytes (glibc's largest threshold on 64-bit)
 * always comes from the heap, and up to {@code retainBytes} of freed memory at the top of a heap is kept for reuse
 * ({@code M_TRIM_THRESHOLD}): the process then holds its largest step's temporaries between steps instead of handing
 * them back and faulting them in again. Blocks above the threshold are still mapped and unmapped each time. The
 * settings are glibc's ({@code mallopt}); another C library, or a platform without it, keeps its own behaviour.
 */
public final class NativeAllocator {

    /** Bytes of freed memory the process keeps, or 0 for glibc's own thresholds; read once, with the engine. */
    public static final String PROPERTY = "l0.native-memory-retained";

    /** The default of {@value #PROPERTY}: 1 GiB. */
    public static final long DEFAULT_RETAINED_BYTES = 1L << 30;

    /** glibc's largest {@code M_MMAP_THRESHOLD} on 64-bit (half its per-thread heap of 64 MiB). */
    static final int MMAP_THRESHOLD_BYTES = 32 << 20;

    // mallopt's parameter numbers, from glibc's malloc.h
    private static final int M_TRIM_THRESHOLD = -1;
    private static final int M_MMAP_THRESHOLD = -3;

    private static final Logger log = LoggerFactory.getLogger(NativeAllocator.class);

    private NativeAllocator() {}

    /** What {@value #PROPERTY} asks for: {@link #DEFAULT_RETAINED_BYTES} when unset or blank. */
    public static long configuredRetainedBytes() {
        String value = System.getProperty(PROPERTY);
        if (value == null || value.isBlank()) {
            return DEFAULT_RETAINED_BYTES;
        }
        try {
            long bytes = Long.parseLong(value.strip());
            if (bytes < 0) {
                throw new NumberFormatException("negative");
            }
            return bytes;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(
                    PROPERTY + ": expected a number of bytes (0: glibc's defaults) but found '" + value + "'", e);
        }
    }

    /**
     * Sets glibc's thresholds so that blocks up to {@value #MMAP_THRESHOLD_BYTES} bytes come from the heap and up to
     * {@code retainBytes} freed at its top stay there; {@code retainBytes} 0 leaves glibc's dynamic thresholds alone.
     * Values above 2³¹ − 1 (mallopt takes an int) are that.
     *
     * @return whether glibc took both settings
     */
    static boolean apply(long retainBytes) {
        if (retainBytes <= 0) {
            log.info("native memory: glibc's own thresholds ({} = 0)", PROPERTY);
            return false;
        }
        Function mallopt = Mallopt.FUNCTION;
        if (mallopt == null) {
            log.info("native memory: no mallopt in this C library; its own thresholds apply");
            return false;
        }
        int retain = (int) Math.min(retainBytes, Integer.MAX_VALUE);
        boolean applied = set(mallopt, M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES) && set(mallopt, M_TRIM_THRESHOLD, retain);
        if (applied) {
            log.info("native memory: blocks up to {} MiB from the heap, up to {} MiB of freed memory kept for reuse",
                    MMAP_THRESHOLD_BYTES >> 20, retain >> 20);
        } else {
            log.warn("native memory: mallopt refused the thresholds; the C library's own thresholds apply");
        }
        return applied;
    }

    private static boolean set(Function mallopt, int parameter, int value) {
        try {
            return mallopt.invokeInt(new Object[] {parameter, value}) == 1;
        } catch (RuntimeException | LinkageError e) {
            log.warn("native memory: mallopt({}, {}) failed: {}", parameter, value, e.toString());
            return false;
        }
    }

    /**
     * {@code int mallopt(int, int)}, reached through JNA as libtorch's switches are ({@link Libtorch}); null where
     * the C library has none.
     */
    private static final class Mallopt {
        static final Function FUNCTION = lookUp();

        private static Function lookUp() {
            try {
                return Function.getFunction("c", "mallopt");
            } catch (RuntimeException | LinkageError e) {
                log.warn("native memory: mallopt cannot be reached ({})", e.toString());
                return null;
            }
        }
    }
}
