package io.l0sparsify.l0;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.Linker;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.SegmentAllocator;
import java.lang.foreign.StructLayout;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.util.List;
import org.junit.jupiter.api.Test;

class NativeAllocatorTest {

    @Test
    void retainedBytesComeFromTheSystemProperty() {
        String before = System.getProperty(NativeAllocator.PROPERTY);
        try {
            System.clearProperty(NativeAllocator.PROPERTY);
            assertThat(NativeAllocator.configuredRetainedBytes()).isEqualTo(1L << 30);
            System.setProperty(NativeAllocator.PROPERTY, " 268435456 ");
            assertThat(NativeAllocator.configuredRetainedBytes()).isEqualTo(256L << 20);
            System.setProperty(NativeAllocator.PROPERTY, "0");
            assertThat(NativeAllocator.configuredRetainedBytes()).isZero();
            for (String wrong : List.of("-1", "1GB", "lots")) {
                System.setProperty(NativeAllocator.PROPERTY, wrong);
                assertThatThrownBy(NativeAllocator::configuredRetainedBytes)
                        .isInstanceOf(IllegalArgumentException.class)
                        .hasMessageContaining(NativeAllocator.PROPERTY).hasMessageContaining("'" + wrong + "'");
            }
        } finally {
            if (before == null) {
                System.clearProperty(NativeAllocator.PROPERTY);
            } else {
                System.setProperty(NativeAllocator.PROPERTY, before);
            }
        }
    }

    /**
     * A block under the threshold comes from the heap, where a freed one is reused, rather than from a mapping of its
     * own: glibc counts the bytes of its mapped blocks ({@code mallinfo2().hblkhd}). With glibc's own thresholds a
     * first block of 30 MiB is mapped (the threshold starts at 128 KiB and rises only to the size of a mapped block
     * freed before), and mapped afresh, page by page, on every step that allocates it again. A later {@code apply(0)}
     * calls nothing, so it leaves the thresholds as they are.
     */
    @Test
    void aBlockUnderTheThresholdComesFromTheHeapAndZeroLeavesThatAlone() throws Throwable {
        Libtorch.engine();
        assumeTrue(NativeAllocator.apply(NativeAllocator.DEFAULT_RETAINED_BYTES), "needs glibc's mallopt");
        assertThat(NativeAllocator.apply(0)).isFalse();
        Linker linker = Linker.nativeLinker();
        MemorySegment symbol = linker.defaultLookup().find("mallinfo2").orElse(null);
        assumeTrue(symbol != null, "needs glibc 2.33 or later (mallinfo2)");
        StructLayout layout = MemoryLayout.structLayout(MemoryLayout.sequenceLayout(10, ValueLayout.JAVA_LONG));
        MethodHandle mallinfo2 = linker.downcallHandle(symbol, FunctionDescriptor.of(layout));
        long block = 30L << 20;
        try (Arena arena = Arena.ofConfined();
                NDManager manager = NDManager.newBaseManager(Libtorch.engine().defaultDevice(), "PyTorch")) {
            long mappedBefore = mappedBytes(mallinfo2, arena);
            try (NDArray tensor = manager.zeros(new Shape(block / Float.BYTES))) {
                assertThat(mappedBytes(mallinfo2, arena) - mappedBefore)
                        .as("bytes glibc mapped for a %d-byte tensor", block).isLessThan(block);
            }
        }
    }

    /** {@code mallinfo2().hblkhd}: the bytes of the blocks glibc holds in mappings of their own. */
    private static long mappedBytes(MethodHandle mallinfo2, Arena arena) throws Throwable {
        MemorySegment info = (MemorySegment) mallinfo2.invokeExact((SegmentAllocator) arena);
        return info.get(ValueLayout.JAVA_LONG, 4L * Long.BYTES);
    }
}
