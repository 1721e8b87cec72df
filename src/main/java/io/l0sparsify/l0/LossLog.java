package io.l0sparsify.l0;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.ArrayList;
import java.util.List;

/**
 * The losses of the steps since they were last read, kept where the device computed them. Reading a value
 * makes the host wait until its device has finished everything queued before it; reading every step's loss
 * would put that wait into every step. The trainer reads them all at once, with one copy to the host, when it
 * needs them: every {@link L0Trainer#LOSS_READ_EVERY} steps, before a progress report and at the end of an
 * epoch. {@link #drain} then hands them out step by step, in order, as if each had been read at its step.
 */
final class LossLog implements AutoCloseable {

    /** Receives one step's losses. */
    interface Consumer {
        /** @param step the step's number, counted from 1 */
        void accept(long step, float crossEntropy, float penalty);
    }

    private record Entry(long step, DataParallel.DeviceLosses losses) {}

    private final NDManager parent;
    /** Owns the arrays of the pending steps; replaced after every read. */
    private NDManager window;
    private final List<Entry> entries = new ArrayList<>();

    LossLog(NDManager parent) {
        this.parent = parent;
        this.window = parent.newSubManager();
    }

    /** The manager a step's losses are to be kept on until they are read. */
    NDManager manager() {
        return window;
    }

    void add(long step, DataParallel.DeviceLosses losses) {
        entries.add(new Entry(step, losses));
    }

    /** Steps waiting to be read. */
    int pending() {
        return entries.size();
    }

    /**
     * Reads every pending step's losses with one copy to the host, forgets them, then gives them to
     * {@code consumer} in step order (an exception it throws ends the delivery; the log is empty by then).
     */
    void drain(Consumer consumer) {
        if (entries.isEmpty()) {
            return;
        }
        List<Entry> read = List.copyOf(entries);
        float[] values;
        try {
            NDList all = new NDList();
            for (Entry e : read) {
                all.addAll(e.losses().arrays());
            }
            try (NDArray stacked = NDArrays.stack(all)) {
                values = stacked.toFloatArray();
            }
        } finally {
            entries.clear();
            window.close();
            window = parent.newSubManager();
        }
        int offset = 0;
        for (Entry e : read) {
            DataParallel.Losses losses = DataParallel.Losses.of(values, offset, e.losses().shares());
            offset += e.losses().arrays().size();
            consumer.accept(e.step(), losses.crossEntropy(), losses.penalty());
        }
    }

    @Override
    public void close() {
        entries.clear();
        window.close();
    }
}
