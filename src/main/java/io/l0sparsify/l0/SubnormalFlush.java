package io.l0sparsify.l0;

import com.sun.jna.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Flush-to-zero for the thread that trains: libtorch's {@code at::Context::setFlushDenormal(bool)}, what
 * PyTorch's {@code torch.set_flush_denormal} calls. On x86 it sets the calling thread's FTZ and DAZ bits, so
 * subnormal floats (below 1.2·10⁻³⁸) read and result as zero.
 *
 * <p>Why: with weight decay, Adam's second moment of a weight whose gate is closed (its only gradient is the decay
 * term, P(z≠0)·wd·w, tiny and shrinking) decays into the subnormal range, where x86 arithmetic takes a microcode
 * assist per operation. Measured with {@code TrainingBenchmark --weight-decay 5e-4}, one thread: the MLP fell from
 * 22 000 to 5 300 examples/s within four epochs, LeNet-5-Caffe from 1 700 to 750–900 over ninety; with this mode
 * the MLP held 23 000–25 600. The numbers change only where a subnormal would have been kept: it is zero instead.
 *
 * <p>The mode belongs to a thread, and the JVM's own float arithmetic on that thread follows it too, so training
 * turns it on for the steps of an epoch ({@link #onThisThread()}) and off again: evaluation, pruning and export
 * compute exactly as without it. (On for a whole run, it also flushed the pruner's arithmetic, and networks whose
 * kept units are rounded to a multiple came out with other shapes.) OpenMP threads that compute for it (more than
 * one intra-op thread) keep the mode of the thread that created them. DJL does not expose the switch, so it is
 * reached through JNA ({@link Libtorch}); where that fails (another platform or build) training runs without it
 * and says so once.
 */
final class SubnormalFlush implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(SubnormalFlush.class);
    private final boolean on;

    private SubnormalFlush(boolean on) {
        this.on = on;
    }

    /** Turns flush-to-zero on for the calling thread until {@link #close()}; a no-op where unavailable. */
    static SubnormalFlush onThisThread() {
        Switch s = theSwitch();
        return new SubnormalFlush(s != null && s.set(true));
    }

    /** Whether flush-to-zero is on for the calling thread because of this object. */
    boolean on() {
        return on;
    }

    @Override
    public void close() {
        if (on) {
            theSwitch().set(false);
        }
    }

    /**
     * {@code static bool at::Context::setFlushDenormal(bool)}. Static, so the flag is its only argument: called
     * with the global context first, as a member function would be, it read that pointer as the flag and turned
     * the mode on when asked to turn it off.
     */
    private record Switch(Function setFlushDenormal) {
        boolean set(boolean flush) {
            return Libtorch.isTrue(setFlushDenormal.invokeInt(new Object[] {flush ? 1 : 0}));
        }
    }

    /** The switch, looked up once on first use; null where it is unavailable. */
    private static Switch theSwitch() {
        return Lookup.SWITCH;
    }

    private static final class Lookup {
        static final Switch SWITCH = lookUp();
    }

    private static Switch lookUp() {
        Function set = Libtorch.setFlushDenormal();
        if (set == null) {
            log.warn("libtorch's flush-denormal switch is unavailable; training keeps subnormal floats, which slows"
                    + " runs with weight decay");
            return null;
        }
        return new Switch(set);
    }
}
