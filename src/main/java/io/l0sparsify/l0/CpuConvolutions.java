package io.l0sparsify.l0;

import java.util.Arrays;
import java.util.Locale;

/**
 * Which kernels libtorch runs convolutions with on the CPU, for the whole process (libtorch's switches are global).
 * Chosen with the system property {@value #PROPERTY} ({@code gemm}, {@code nnpack} or {@code onednn}), which the
 * worker sets from {@code l0.worker.cpu-convolutions}; applied when the engine is first used
 * ({@link Libtorch#engine()}).
 *
 * <p>{@link #GEMM} is the default. oneDNN's direct convolutions computed LeNet-5-Caffe's second convolution
 * wrongly with their AVX2 and AVX-512 kernels on an AMD EPYC, so the launchers cap oneDNN at SSE4.1 (README,
 * "Convolutions on the CPU"), and at that width a LeNet-5-Caffe step ran at 0.4 of eager PyTorch's. Without
 * oneDNN, libtorch unfolds the input (im2col) and multiplies with MKL's GEMM, which picks the CPU's full vector
 * width itself and is the same routine the dense layers have always used; GPUs are not affected (cuDNN).
 * {@link #NNPACK} is faster still on LeNet-5-Caffe, but its forward pass uses fast algorithms (Winograd, FFT) whose
 * rounding grows with the number of input channels, where the service promises its pruned ONNX file gives the
 * gated model's outputs to 1e-4.
 */
public enum CpuConvolutions {
    /** im2col and MKL's matrix multiply, forward and backward: oneDNN and NNPACK switched off. */
    GEMM("im2col and MKL's GEMM (oneDNN and NNPACK off)"),
    /** NNPACK's forward pass at a batch of 16 or more, im2col and GEMM otherwise and for gradients: oneDNN off. */
    NNPACK("NNPACK's forward at batches of 16 or more, else im2col and MKL's GEMM (oneDNN off)"),
    /** oneDNN's convolutions (libtorch's default), at the width {@code DNNL_MAX_CPU_ISA} allows. */
    ONEDNN("oneDNN (libtorch's default)");

    public static final String PROPERTY = "l0.cpu-convolutions";

    private final String description;

    CpuConvolutions(String description) {
        this.description = description;
    }

    /** What libtorch runs, in words, for the log. */
    String description() {
        return description;
    }

    /** The choice the system property names; {@link #GEMM} when it is unset or blank. */
    public static CpuConvolutions configured() {
        String value = System.getProperty(PROPERTY);
        return value == null || value.isBlank() ? GEMM : parse(value);
    }

    /** {@code gemm}, {@code nnpack} or {@code onednn}, in any case. */
    public static CpuConvolutions parse(String value) {
        try {
            return valueOf(value.strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(PROPERTY + ": expected one of "
                    + Arrays.toString(values()).toLowerCase(Locale.ROOT) + " but found '" + value + "'", e);
        }
    }
}
