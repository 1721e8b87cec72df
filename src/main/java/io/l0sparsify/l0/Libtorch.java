package io.l0sparsify.l0;

import ai.djl.engine.Engine;
import com.sun.jna.Function;
import com.sun.jna.NativeLibrary;
import com.sun.jna.Pointer;
import java.nio.file.Path;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * DJL's PyTorch engine with this project's process-wide settings applied, and the switches of libtorch's global
 * context that DJL does not expose. Those are reached through JNA by their symbols in {@code libtorch_cpu}: the
 * engine is a runtime dependency, and its JNI layer has no call for them.
 */
final class Libtorch {

    private static final Logger log = LoggerFactory.getLogger(Libtorch.class);

    private static final String SET_FLUSH_DENORMAL = "_ZN2at7Context16setFlushDenormalEb";
    private static final String GLOBAL_CONTEXT = "_ZN2at13globalContextEv";
    private static final String SET_USER_ENABLED_MKLDNN = "_ZN2at7Context20setUserEnabledMkldnnEb";
    private static final String USER_ENABLED_MKLDNN = "_ZNK2at7Context17userEnabledMkldnnEv";
    private static final String SET_USER_ENABLED_NNPACK = "_ZN2at7Context20setUserEnabledNNPACKEb";
    private static final String USER_ENABLED_NNPACK = "_ZNK2at7Context17userEnabledNNPACKEv";
    private static final String NNPACK_AVAILABLE = "_ZN2at6native17_nnpack_availableEv";

    /** What {@link #engine()} applied of {@link CpuConvolutions#configured()}, null before; guarded by the class. */
    private static CpuConvolutions applied;

    private Libtorch() {}

    /**
     * The PyTorch engine, loaded if it was not, with the configured {@link CpuConvolutions} and
     * {@link NativeAllocator} thresholds applied the first time.
     *
     * @throws IllegalArgumentException when {@value CpuConvolutions#PROPERTY} names no kind of convolutions or
     *     {@value NativeAllocator#PROPERTY} no number of bytes
     */
    static Engine engine() {
        Engine engine = Engine.getEngine("PyTorch");
        synchronized (Libtorch.class) {
            if (applied == null) {
                CpuConvolutions kind = CpuConvolutions.configured();
                long retained = NativeAllocator.configuredRetainedBytes();
                if (use(kind)) {
                    log.info("CPU convolutions: {}", kind.description());
                    if (kind == CpuConvolutions.NNPACK && Boolean.FALSE.equals(nnpackAvailable())) {
                        log.warn("NNPACK does not run on this CPU: its forward passes run as im2col and GEMM");
                    }
                } else {
                    log.warn("libtorch's convolution switches are unavailable; CPU convolutions run as libtorch"
                            + " chooses");
                }
                NativeAllocator.apply(retained);
                applied = kind;
            }
        }
        return engine;
    }

    /** The kind {@link #engine()} applied when it first ran; null before. */
    static synchronized CpuConvolutions applied() {
        return applied;
    }

    /**
     * Switches libtorch's CPU convolutions to {@code kind} for the process; false where a switch is missing. Two
     * switches decide: libtorch tries oneDNN first, then (at a batch of 16 or more, kernels under 17) NNPACK,
     * then im2col and GEMM; libtorch's default has both on.
     */
    static boolean use(CpuConvolutions kind) {
        Functions f = Functions.LOOKED_UP;
        if (f == null || f.setUserEnabledMkldnn == null || f.setUserEnabledNNPACK == null) {
            return false;
        }
        Pointer context = f.context();
        f.setUserEnabledMkldnn.invokeVoid(new Object[] {context, kind == CpuConvolutions.ONEDNN ? 1 : 0});
        f.setUserEnabledNNPACK.invokeVoid(new Object[] {context, kind != CpuConvolutions.GEMM ? 1 : 0});
        return true;
    }

    /** The kind libtorch's switches are set to now; null where they cannot be read. */
    static CpuConvolutions cpuConvolutions() {
        Functions f = Functions.LOOKED_UP;
        if (f == null || f.userEnabledMkldnn == null || f.userEnabledNNPACK == null) {
            return null;
        }
        Pointer context = f.context();
        return isTrue(f.userEnabledMkldnn.invokeInt(new Object[] {context})) ? CpuConvolutions.ONEDNN
                : isTrue(f.userEnabledNNPACK.invokeInt(new Object[] {context})) ? CpuConvolutions.NNPACK
                : CpuConvolutions.GEMM;
    }

    /**
     * Whether NNPACK initialised on this CPU ({@code at::native::_nnpack_available()}); null where the function is
     * missing. Where it did not, libtorch runs {@link CpuConvolutions#NNPACK}'s forward pass as im2col and GEMM.
     */
    static Boolean nnpackAvailable() {
        Functions f = Functions.LOOKED_UP;
        return f == null || f.nnpackAvailable == null ? null : isTrue(f.nnpackAvailable.invokeInt(new Object[0]));
    }

    /** A C++ bool as returned: in the low byte of the register, the rest undefined. */
    static boolean isTrue(int returned) {
        return (returned & 0xff) != 0;
    }

    /** {@code static bool at::Context::setFlushDenormal(bool)}; null where it is missing. */
    static Function setFlushDenormal() {
        Functions f = Functions.LOOKED_UP;
        return f == null ? null : f.setFlushDenormal;
    }

    /** The functions, each null where its symbol is missing; looked up once, on first use. */
    private record Functions(Function globalContext, Function setUserEnabledMkldnn, Function userEnabledMkldnn,
            Function setUserEnabledNNPACK, Function userEnabledNNPACK, Function setFlushDenormal,
            Function nnpackAvailable) {

        static final Functions LOOKED_UP = lookUp();

        /** {@code at::globalContext()}: the {@code this} of the context's member functions. */
        Pointer context() {
            return globalContext.invokePointer(new Object[0]);
        }

        private static Functions lookUp() {
            NativeLibrary torch;
            try {
                Engine.getEngine("PyTorch"); // loads libtorch first
                String dir = (String) Class.forName("ai.djl.pytorch.jni.LibUtils").getMethod("getLibtorchPath")
                        .invoke(null);
                torch = NativeLibrary.getInstance(
                        Path.of(dir).resolve(System.mapLibraryName("torch_cpu")).toString());
            } catch (ReflectiveOperationException | RuntimeException | LinkageError e) {
                log.warn("libtorch_cpu cannot be opened for its context switches ({})", e.toString());
                return null;
            }
            Function context = find(torch, GLOBAL_CONTEXT);
            return new Functions(context, member(torch, context, SET_USER_ENABLED_MKLDNN),
                    member(torch, context, USER_ENABLED_MKLDNN), member(torch, context, SET_USER_ENABLED_NNPACK),
                    member(torch, context, USER_ENABLED_NNPACK), find(torch, SET_FLUSH_DENORMAL),
                    find(torch, NNPACK_AVAILABLE));
        }

        /** A member function of the context: of no use without the context itself. */
        private static Function member(NativeLibrary library, Function context, String symbol) {
            return context == null ? null : find(library, symbol);
        }

        private static Function find(NativeLibrary library, String symbol) {
            try {
                return library.getFunction(symbol);
            } catch (UnsatisfiedLinkError e) {
                log.warn("libtorch_cpu has no {} ({})", symbol, e.getMessage());
                return null;
            }
        }
    }
}
