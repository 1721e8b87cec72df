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
 * The one stored form of a {@link TrainingCheckpoint}, big-endian:
 *
 * <pre>
 *   int   magic 0x4C30434B ("L0CK")
 *   byte  format version (7)
 *   int   epochs completed
 *   long  step
 *   arrays parameters          arrays = int count, then per array: int length, length floats
 *   arrays average shadows
 *   long  average updates
 *   byte  optimizer (from version 6): 0 Adam, 1 SGD
 *   Adam: arrays means, arrays variances, long steps
 *   SGD:  arrays momentum buffers, long steps
 *   double training seconds        history (from version 4)
 *   double elapsed seconds
 *   int   count, then per epoch-end snapshot:
 *           int epoch, int epochs, long step, int steps per epoch, boolean epoch end,
 *           double train loss, penalty, test error, expected L0, expected FLOPs,
 *           int count + ints kept units, double elapsed seconds, examples per second, RSS megabytes,
 *           boolean has budget (from version 5), and if so: byte metric (0 FLOPs, 1 parameters),
 *           double target, current target, expected, deterministic, λ₁, λ₂,
 *           and (from version 7) aim, gain
 *   double λ₁                      the size budget's multipliers (from version 5; 0 without a budget)
 *   double λ₂
 * </pre>
 *
 * <p>Version 6 is the same without the budget's aim and gain in the snapshots; they read as NaN (not recorded).
 *
 * <p>Version 5 is the same as version 6 without the optimizer byte: its state is always Adam's. The learning
 * rate's schedule needs no field of its own: its position is the epochs completed.
 *
 * <p>Version 4 is the same as version 5 without the budget in the snapshots and without the multipliers; its runs
 * resume with the multipliers at 0 (version-4 runs had no budget).
 *
 * <p>Version 3 is the same without the history; its runs resume with an empty one (their earlier epochs are
 * missing from the metrics, as they were before).
 *
 * <p>The previous release wrapped an inner state (magic, version byte 1 or 2, parameters, shadows, updates and,
 * from 2, Adam's state) in an envelope of magic, int version 1, epochs, step and length. Its int version begins
 * with a zero byte, which no version of this format uses, so those files are still read; a version-1 inner
 * state has no moments and its resumed run restarts them.
 */
final class CheckpointCodec {

    private static final int MAGIC = 0x4C30434B; // "L0CK"
    private static final byte VERSION = 7;
    /** The format before the budget's aim and gain were kept in the history. */
    private static final byte WITHOUT_AIM = 6;
    /** The format before SGD: the optimizer's state is Adam's, without a byte naming it. */
    private static final byte ADAM_ONLY = 5;
    /** The format before the size budget's multipliers were kept. */
    private static final byte WITHOUT_MULTIPLIERS = 4;
    /** The format before the history was kept. */
    private static final byte WITHOUT_HISTORY = 3;
    /** The optimizer byte, from version 6. */
    private static final byte ADAM = 0;
    private static final byte SGD = 1;
    /** The first byte after the magic in the previous release's files: its envelope's int version 1 is 00 00 00 01. */
    private static final byte PREVIOUS_RELEASE = 0;

    private CheckpointCodec() {}

    static byte[] encode(TrainingCheckpoint checkpoint) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeByte(VERSION);
            out.writeInt(checkpoint.epochsCompleted());
            out.writeLong(checkpoint.step());
            writeArrays(out, checkpoint.parameters());
            writeArrays(out, checkpoint.average().shadows());
            out.writeLong(checkpoint.average().updates());
            writeOptimizer(out, checkpoint.optimizer());
            writeHistory(out, checkpoint.history());
            out.writeDouble(checkpoint.multipliers().lambda1());
            out.writeDouble(checkpoint.multipliers().lambda2());
        } catch (IOException e) {
            throw new UncheckedIOException("in-memory write failed", e);
        }
        return bytes.toByteArray();
    }

    static TrainingCheckpoint decode(byte[] bytes) {
        try (DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes))) {
            requireMagic(in);
            byte version = in.readByte();
            TrainingCheckpoint checkpoint = switch (version) {
                case VERSION -> readCurrent(in, true, true, true, true);
                case WITHOUT_AIM -> readCurrent(in, true, true, true, false);
                case ADAM_ONLY -> readCurrent(in, false, true, true, false);
                case WITHOUT_MULTIPLIERS -> readCurrent(in, false, true, false, false);
                case WITHOUT_HISTORY -> readCurrent(in, false, false, false, false);
                case PREVIOUS_RELEASE -> readPreviousRelease(in);
                default -> throw unknownVersion(version);
            };
            if (in.available() > 0) {
                throw new CheckpointFormatException("training checkpoint has " + in.available()
                        + " bytes after its end");
            }
            return checkpoint;
        } catch (IOException e) {
            throw new CheckpointFormatException("truncated training checkpoint", e);
        }
    }

    private static TrainingCheckpoint readCurrent(DataInputStream in, boolean withOptimizerKind,
            boolean withHistory, boolean withBudget, boolean withAim) throws IOException {
        int epochsCompleted = in.readInt();
        long step = in.readLong();
        List<float[]> parameters = readArrays(in);
        var average = new TrainingCheckpoint.Average(readArrays(in), in.readLong());
        byte kind = withOptimizerKind ? in.readByte() : ADAM;
        TrainingCheckpoint.OptimizerState optimizer = switch (kind) {
            case ADAM -> new TrainingCheckpoint.AdamMoments(readArrays(in), readArrays(in), in.readLong());
            case SGD -> new TrainingCheckpoint.SgdMomentum(readArrays(in), in.readLong());
            default -> throw new CheckpointFormatException("training checkpoint names an unknown optimizer " + kind);
        };
        var history = withHistory ? readHistory(in, withBudget, withAim) : TrainingCheckpoint.History.NONE;
        var multipliers = withBudget ? new TrainingCheckpoint.Multipliers(in.readDouble(), in.readDouble())
                : TrainingCheckpoint.Multipliers.NONE;
        return new TrainingCheckpoint(epochsCompleted, step, parameters, average, optimizer, history, multipliers);
    }

    private static void writeOptimizer(DataOutputStream out, TrainingCheckpoint.OptimizerState state)
            throws IOException {
        switch (state) {
            case TrainingCheckpoint.AdamMoments adam -> {
                out.writeByte(ADAM);
                writeArrays(out, adam.means());
                writeArrays(out, adam.variances());
                out.writeLong(adam.steps());
            }
            case TrainingCheckpoint.SgdMomentum sgd -> {
                out.writeByte(SGD);
                writeArrays(out, sgd.buffers());
                out.writeLong(sgd.steps());
            }
        }
    }

    private static void writeHistory(DataOutputStream out, TrainingCheckpoint.History history) throws IOException {
        out.writeDouble(history.trainingSeconds());
        out.writeDouble(history.elapsedSeconds());
        out.writeInt(history.epochEnds().size());
        for (TrainingProgress p : history.epochEnds()) {
            out.writeInt(p.epoch());
            out.writeInt(p.epochs());
            out.writeLong(p.step());
            out.writeInt(p.stepsPerEpoch());
            out.writeBoolean(p.epochEnd());
            for (double value : new double[] {p.trainLoss(), p.penalty(), p.testError(), p.expectedL0(),
                    p.expectedFlops()}) {
                out.writeDouble(value);
            }
            out.writeInt(p.keptUnits().size());
            for (int kept : p.keptUnits()) {
                out.writeInt(kept);
            }
            out.writeDouble(p.elapsedSeconds());
            out.writeDouble(p.examplesPerSecond());
            out.writeDouble(p.rssMegabytes());
            TrainingProgress.Budget budget = p.budget();
            out.writeBoolean(budget != null);
            if (budget != null) {
                out.writeByte(switch (budget.metric()) {
                    case FLOPS -> 0;
                    case PARAMETERS -> 1;
                });
                for (double value : new double[] {budget.target(), budget.currentTarget(), budget.expected(),
                        budget.deterministic(), budget.lambda1(), budget.lambda2(), budget.aim(), budget.gain()}) {
                    out.writeDouble(value);
                }
            }
        }
    }

    private static TrainingCheckpoint.History readHistory(DataInputStream in, boolean withBudget, boolean withAim)
            throws IOException {
        double trainingSeconds = in.readDouble();
        double elapsedSeconds = in.readDouble();
        int count = in.readInt();
        if (count < 0 || count > in.available()) {
            throw new CheckpointFormatException("truncated training checkpoint (" + count + " epochs of history"
                    + " announced)");
        }
        List<TrainingProgress> epochEnds = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int epoch = in.readInt();
            int epochs = in.readInt();
            long step = in.readLong();
            int stepsPerEpoch = in.readInt();
            boolean epochEnd = in.readBoolean();
            double trainLoss = in.readDouble();
            double penalty = in.readDouble();
            double testError = in.readDouble();
            double expectedL0 = in.readDouble();
            double expectedFlops = in.readDouble();
            int layers = in.readInt();
            if (layers < 0 || (long) layers * Integer.BYTES > in.available()) {
                throw new CheckpointFormatException("truncated training checkpoint (" + layers + " layers of kept"
                        + " units announced)");
            }
            List<Integer> keptUnits = new ArrayList<>(layers);
            for (int l = 0; l < layers; l++) {
                keptUnits.add(in.readInt());
            }
            double elapsed = in.readDouble();
            double examplesPerSecond = in.readDouble();
            double rss = in.readDouble();
            TrainingProgress.Budget budget = withBudget && in.readBoolean() ? readBudget(in, withAim) : null;
            epochEnds.add(new TrainingProgress(epoch, epochs, step, stepsPerEpoch, epochEnd, trainLoss, penalty,
                    testError, expectedL0, expectedFlops, keptUnits, elapsed, examplesPerSecond, rss, budget));
        }
        return new TrainingCheckpoint.History(epochEnds, trainingSeconds, elapsedSeconds);
    }

    private static TrainingProgress.Budget readBudget(DataInputStream in, boolean withAim) throws IOException {
        byte metric = in.readByte();
        SizeTarget.Metric m = switch (metric) {
            case 0 -> SizeTarget.Metric.FLOPS;
            case 1 -> SizeTarget.Metric.PARAMETERS;
            default -> throw new CheckpointFormatException("training checkpoint names an unknown budget metric "
                    + metric);
        };
        // target, current target, expected, deterministic, λ₁, λ₂ and, from version 7, aim and gain (else NaN)
        double[] v = {Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN};
        for (int i = 0; i < (withAim ? v.length : v.length - 2); i++) {
            v[i] = in.readDouble();
        }
        return new TrainingProgress.Budget(m, v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7]);
    }

    private static TrainingCheckpoint readPreviousRelease(DataInputStream in) throws IOException {
        // the three remaining bytes of the envelope's int version, which was always 1
        if (in.readUnsignedShort() != 0 || in.readByte() != 1) {
            throw new CheckpointFormatException("training checkpoint has an unknown envelope version");
        }
        int epochsCompleted = in.readInt();
        long step = in.readLong();
        in.readInt(); // the inner state's length: it runs to the end
        requireMagic(in);
        byte inner = in.readByte();
        if (inner != 1 && inner != 2) {
            throw unknownVersion(inner);
        }
        List<float[]> parameters = readArrays(in);
        var average = new TrainingCheckpoint.Average(readArrays(in), in.readLong());
        var adam = inner == 1 ? TrainingCheckpoint.AdamMoments.NONE
                : new TrainingCheckpoint.AdamMoments(readArrays(in), readArrays(in), in.readLong());
        return new TrainingCheckpoint(epochsCompleted, step, parameters, average, adam,
                TrainingCheckpoint.History.NONE);
    }

    private static void requireMagic(DataInputStream in) throws IOException {
        if (in.readInt() != MAGIC) {
            throw new CheckpointFormatException("not a training checkpoint");
        }
    }

    private static CheckpointFormatException unknownVersion(byte version) {
        return new CheckpointFormatException("training checkpoint format version " + version
                + " is not supported (this build writes version " + VERSION
                + " and also reads versions " + WITHOUT_AIM + ", " + ADAM_ONLY + ", " + WITHOUT_MULTIPLIERS + ", "
                + WITHOUT_HISTORY
                + " and the previous release's checkpoints)");
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
        if (count < 0 || count > in.available()) {
            throw new CheckpointFormatException("truncated training checkpoint (" + count + " arrays announced)");
        }
        List<float[]> arrays = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            int length = in.readInt();
            if (length < 0 || (long) length * Float.BYTES > in.available()) {
                throw new CheckpointFormatException("truncated training checkpoint (an array of " + length
                        + " values announced)");
            }
            float[] array = new float[length];
            byte[] bytes = new byte[length * Float.BYTES];
            in.readFully(bytes);
            ByteBuffer.wrap(bytes).asFloatBuffer().get(array);
            arrays.add(array);
        }
        return arrays;
    }
}
