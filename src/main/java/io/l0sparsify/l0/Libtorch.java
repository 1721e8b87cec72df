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

    static final String SET_FLUSH_DENORMAL = "_ZN2at7Context16setFlushDenormalEb";
    private static final String GLOBAL_CONTEXT = "_ZN2at13globalContextEv";
    private static final String SET_USER_ENABLED_MKLDNN = "_ZN2at7Context20setUserEnabledMkldnnEb";
    private static final String USER_ENABLED_MKLDNN = "_ZNK2at7Context17userEnabledMkldnnEv";

    /** Whether {@link #engine()} has applied {@link CpuConvolutions#configured()}; guarded by the class. */
    private static boolean configured;

    private Libtorch() {}

    /**
     * The PyTorch engine, loaded if it was not, with the configured {@link CpuConvolutions} applied the first time.
     *
     * @throws IllegalArgumentException when {@value CpuConvolutions#PROPERTY} names no kind of convolutions
     */
    static Engine engine() {
        Engine engine = Engine.getEngine("PyTorch");
        synchronized (Libtorch.class) {
            if (!configured) {
                CpuConvolutions kind = CpuConvolutions.configured();
                if (use(kind)) {
                    log.info("CPU convolutions: {}", kind == CpuConvolutions.GEMM
                            ? "im2col and MKL's GEMM (oneDNN off)" : "oneDNN");
                } else {
                    log.warn("libtorch's oneDNN switch is unavailable; CPU convolutions run as libtorch chooses");
                }
                configured = true;
            }
        }
        return engine;
    }

    /** Switches libtorch's CPU convolutions to {@code kind} for the process; false where the switch is missing. */
    static boolean use(CpuConvolutions kind) {
        Functions f = Functions.LOOKED_UP;
        if (f == null || f.setUserEnabledMkldnn == null) {
            return false;
        }
        f.setUserEnabledMkldnn.invokeVoid(new Object[] {f.context(), kind == CpuConvolutions.ONEDNN ? 1 : 0});
        return true;
    }

    /** The kind libtorch's switch is set to now; null where it cannot be read. */
    static CpuConvolutions cpuConvolutions() {
        Functions f = Functions.LOOKED_UP;
        if (f == null || f.userEnabledMkldnn == null) {
            return null;
        }
        // a C++ bool comes back in the low byte of the register; the rest is not defined
        return (f.userEnabledMkldnn.invokeInt(new Object[] {f.context()}) & 0xff) != 0
                ? CpuConvolutions.ONEDNN : CpuConvolutions.GEMM;
    }

    /** {@code static bool at::Context::setFlushDenormal(bool)}; null where it is missing. */
    static Function setFlushDenormal() {
        Functions f = Functions.LOOKED_UP;
        return f == null ? null : f.setFlushDenormal;
    }

    /** The functions, each null where its symbol is missing; looked up once, on first use. */
    private record Functions(Function globalContext, Function setUserEnabledMkldnn, Function userEnabledMkldnn,
            Function setFlushDenormal) {

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
            return new Functions(context, context == null ? null : find(torch, SET_USER_ENABLED_MKLDNN),
                    context == null ? null : find(torch, USER_ENABLED_MKLDNN), find(torch, SET_FLUSH_DENORMAL));
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
