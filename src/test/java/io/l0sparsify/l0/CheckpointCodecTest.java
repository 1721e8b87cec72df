package io.l0sparsify.l0;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class CheckpointCodecTest {

    private static final int MAGIC = 0x4C30434B; // "L0CK"

    private static TrainingCheckpoint small() {
        return new TrainingCheckpoint(1, 10, List.of(new float[] {1f}), TrainingCheckpoint.Average.NONE,
                TrainingCheckpoint.AdamMoments.NONE, TrainingCheckpoint.History.NONE);
    }

    @Test
    void checkpointRoundTripsExactly() {
        TrainingCheckpoint checkpoint = new TrainingCheckpoint(7, 1_234_567_890_123L,
                List.of(new float[] {1.5f, -0f, Float.MIN_VALUE, 3.4028235e38f}, new float[0]),
                new TrainingCheckpoint.Average(List.of(new float[] {0.1f, Float.NaN}), 4321),
                new TrainingCheckpoint.AdamMoments(List.of(new float[] {1e-9f, 2f}), List.of(new float[] {3f, 4e-20f}),
                        777),
                new TrainingCheckpoint.History(List.of(epochEnd(1, 0.52, List.of(310, 100)),
                        epochEnd(2, Double.NaN, List.of()), withBudget(epochEnd(3, 0.4, List.of(7)))), 12.25, 13.5),
                new TrainingCheckpoint.Multipliers(-1.25, 0.375));
        TrainingCheckpoint back = TrainingCheckpoint.decode(checkpoint.encode());
        assertThat(back.epochsCompleted()).isEqualTo(7);
        assertThat(back.step()).isEqualTo(1_234_567_890_123L);
        assertThat(back.parameters()).hasSize(2);
        assertThat(back.parameters().get(0)).containsExactly(checkpoint.parameters().get(0));
        assertThat(Float.floatToRawIntBits(back.parameters().get(0)[1])).as("-0 stays -0")
                .isEqualTo(Float.floatToRawIntBits(-0f));
        assertThat(back.parameters().get(1)).isEmpty();
        assertThat(Float.floatToRawIntBits(back.average().shadows().get(0)[1]))
                .isEqualTo(Float.floatToRawIntBits(Float.NaN));
        assertThat(back.average().updates()).isEqualTo(4321);
        assertThat(adam(back).means()).singleElement().satisfies(m -> assertThat(m).containsExactly(1e-9f, 2f));
        assertThat(adam(back).variances()).singleElement()
                .satisfies(v -> assertThat(v).containsExactly(3f, 4e-20f));
        assertThat(back.optimizer().steps()).isEqualTo(777);
        assertThat(back.history()).as("the history round-trips value for value (records compare doubles exactly)")
                .isEqualTo(checkpoint.history());
        assertThat(back.multipliers()).isEqualTo(new TrainingCheckpoint.Multipliers(-1.25, 0.375));
    }

    private static TrainingCheckpoint.AdamMoments adam(TrainingCheckpoint checkpoint) {
        return (TrainingCheckpoint.AdamMoments) checkpoint.optimizer();
    }

    @Test
    void sgdMomentumRoundTripsExactly() {
        TrainingCheckpoint checkpoint = new TrainingCheckpoint(4, 40, List.of(new float[] {1f, 2f}),
                TrainingCheckpoint.Average.NONE,
                new TrainingCheckpoint.SgdMomentum(List.of(new float[] {-0.5f, 1e-30f}), 40),
                TrainingCheckpoint.History.NONE);
        TrainingCheckpoint back = TrainingCheckpoint.decode(checkpoint.encode());
        assertThat(back.optimizer()).isInstanceOfSatisfying(TrainingCheckpoint.SgdMomentum.class, sgd -> {
            assertThat(sgd.buffers()).singleElement().satisfies(b -> assertThat(b).containsExactly(-0.5f, 1e-30f));
            assertThat(sgd.steps()).isEqualTo(40);
        });
        assertThat(TrainingCheckpoint.decode(small().encode()).optimizer())
                .isEqualTo(TrainingCheckpoint.AdamMoments.NONE);
    }

    @Test
    void anUnknownOptimizerIsRefusedByName() {
        byte[] bytes = small().encode();
        bytes[OPTIMIZER_BYTE_OF_SMALL] = 7;
        assertThatThrownBy(() -> TrainingCheckpoint.decode(bytes)).isInstanceOf(CheckpointFormatException.class)
                .hasMessageContaining("unknown optimizer 7");
    }

    /**
     * Where the optimizer byte of a checkpoint with one one-value parameter and no average sits: after magic,
     * version, epochs and step (17 bytes), the parameters (count, length, one float: 12), the shadows (an empty
     * count: 4) and the average's updates (8).
     */
    private static final int OPTIMIZER_BYTE_OF_SMALL = 17 + 12 + 4 + 8;

    /** Version 5 is version 6 without the optimizer byte (its state is always Adam's). */
    private static byte[] versionFive(byte[] current) {
        byte[] five = new byte[current.length - 1];
        System.arraycopy(current, 0, five, 0, OPTIMIZER_BYTE_OF_SMALL);
        System.arraycopy(current, OPTIMIZER_BYTE_OF_SMALL + 1, five, OPTIMIZER_BYTE_OF_SMALL,
                current.length - OPTIMIZER_BYTE_OF_SMALL - 1);
        five[4] = 5;
        return five;
    }

    @Test
    void aVersionFiveCheckpointLoadsWithAdamsMoments() {
        TrainingCheckpoint withMoments = new TrainingCheckpoint(2, 20, List.of(new float[] {1f}),
                TrainingCheckpoint.Average.NONE,
                new TrainingCheckpoint.AdamMoments(List.of(new float[] {0.5f}), List.of(new float[] {0.25f}), 20),
                new TrainingCheckpoint.History(List.of(epochEnd(1, 0.5, List.of(3))), 1.5, 2.5),
                new TrainingCheckpoint.Multipliers(0.5, 0.25));
        TrainingCheckpoint checkpoint = TrainingCheckpoint.decode(versionFive(withMoments.encode()));
        assertThat(adam(checkpoint).means()).singleElement().satisfies(m -> assertThat(m).containsExactly(0.5f));
        assertThat(adam(checkpoint).variances()).singleElement().satisfies(v -> assertThat(v).containsExactly(0.25f));
        assertThat(checkpoint.optimizer().steps()).isEqualTo(20);
        assertThat(checkpoint.history()).isEqualTo(withMoments.history());
        assertThat(checkpoint.multipliers()).isEqualTo(withMoments.multipliers());
    }

    @Test
    void aVersionFourCheckpointLoadsWithoutMultipliersOrBudgets() {
        TrainingCheckpoint withHistory = new TrainingCheckpoint(2, 20, List.of(new float[] {1f}),
                TrainingCheckpoint.Average.NONE, TrainingCheckpoint.AdamMoments.NONE,
                new TrainingCheckpoint.History(List.of(epochEnd(1, 0.5, List.of(3))), 1.5, 2.5));
        byte[] current = versionFive(withHistory.encode());
        // Version 4 is version 5 without the budget flag of each snapshot (1 byte, here one snapshot before the
        // final 2·8 bytes of multipliers) and without the multipliers.
        byte[] versionFour = Arrays.copyOf(current, current.length - 17);
        versionFour[4] = 4;
        TrainingCheckpoint checkpoint = TrainingCheckpoint.decode(versionFour);
        assertThat(checkpoint.history()).isEqualTo(withHistory.history());
        assertThat(checkpoint.multipliers()).isEqualTo(TrainingCheckpoint.Multipliers.NONE);
    }

    @Test
    void aVersionThreeCheckpointLoadsWithAnEmptyHistory() {
        byte[] current = versionFive(small().encode());
        // Version 3 is version 5 without the history (two doubles and an empty count, 8 + 8 + 4 bytes) and the
        // multipliers (2·8 bytes) at the end.
        byte[] versionThree = Arrays.copyOf(current, current.length - 36);
        versionThree[4] = 3;
        TrainingCheckpoint checkpoint = TrainingCheckpoint.decode(versionThree);
        assertThat(checkpoint.epochsCompleted()).isEqualTo(1);
        assertThat(checkpoint.parameters()).singleElement().satisfies(p -> assertThat(p).containsExactly(1f));
        assertThat(checkpoint.history()).isEqualTo(TrainingCheckpoint.History.NONE);
    }

    private static TrainingProgress epochEnd(int epoch, double testError, List<Integer> keptUnits) {
        return new TrainingProgress(epoch, 40, epoch * 60L, 60, true, 0.31, 0.002, testError, 2.5e5, 4.1e5,
                keptUnits, epoch * 6.75, 410.5, -1);
    }

    private static TrainingProgress withBudget(TrainingProgress p) {
        return new TrainingProgress(p.epoch(), p.epochs(), p.step(), p.stepsPerEpoch(), p.epochEnd(), p.trainLoss(),
                p.penalty(), p.testError(), p.expectedL0(), p.expectedFlops(), p.keptUnits(), p.elapsedSeconds(),
                p.examplesPerSecond(), p.rssMegabytes(), new TrainingProgress.Budget(SizeTarget.Metric.PARAMETERS,
                        0.25, 0.5, 0.45, 0.6, 3.5, 0.125, 0.41, 0.75));
    }

    /**
     * Version 6 is version 7 without each budget snapshot's aim and gain (2·8 bytes, here in the one snapshot with a
     * budget, the last, just before the final 2·8 bytes of multipliers): they read as NaN, the rest as written.
     */
    @Test
    void aVersionSixCheckpointLoadsItsBudgetsWithoutAimOrGain() {
        TrainingProgress budgeted = withBudget(epochEnd(3, 0.4, List.of(7)));
        TrainingCheckpoint withAim = new TrainingCheckpoint(3, 30, List.of(new float[] {1f}),
                TrainingCheckpoint.Average.NONE, TrainingCheckpoint.AdamMoments.NONE,
                new TrainingCheckpoint.History(List.of(budgeted), 1.5, 2.5), new TrainingCheckpoint.Multipliers(2, 1));
        byte[] current = withAim.encode();
        byte[] six = new byte[current.length - 16];
        System.arraycopy(current, 0, six, 0, current.length - 32);
        System.arraycopy(current, current.length - 16, six, current.length - 32, 16);
        six[4] = 6;
        TrainingCheckpoint checkpoint = TrainingCheckpoint.decode(six);
        TrainingProgress.Budget b = budgeted.budget();
        assertThat(checkpoint.history().epochEnds()).singleElement().satisfies(p -> assertThat(p.budget())
                .isEqualTo(new TrainingProgress.Budget(b.metric(), b.target(), b.currentTarget(), b.expected(),
                        b.deterministic(), b.lambda1(), b.lambda2(), Double.NaN, Double.NaN)));
        assertThat(checkpoint.multipliers()).isEqualTo(new TrainingCheckpoint.Multipliers(2, 1));
    }

    @Test
    void theFormatBeginsWithItsMagicAndVersion() {
        // "L0CK", then version 7
        assertThat(Arrays.copyOf(small().encode(), 5)).containsExactly(0x4C, 0x30, 0x43, 0x4B, 7);
    }

    @Test
    void anUnknownVersionIsRefusedByName() {
        byte[] future = small().encode();
        future[4] = 9;
        assertThatThrownBy(() -> TrainingCheckpoint.decode(future)).isInstanceOf(CheckpointFormatException.class)
                .hasMessageContaining("version 9");
    }

    @Test
    void truncatedOrForeignBytesAreRefused() {
        byte[] bytes = small().encode();
        for (int length = 0; length < bytes.length; length++) {
            byte[] cut = Arrays.copyOf(bytes, length);
            assertThatThrownBy(() -> TrainingCheckpoint.decode(cut)).as("cut to %d bytes", length)
                    .isInstanceOf(CheckpointFormatException.class);
        }
        assertThatThrownBy(() -> TrainingCheckpoint.decode(Arrays.copyOf(bytes, bytes.length - 2)))
                .hasMessageContaining("truncated");
        assertThatThrownBy(() -> TrainingCheckpoint.decode(Arrays.copyOf(bytes, bytes.length + 1)))
                .isInstanceOf(CheckpointFormatException.class).hasMessageContaining("after its end");
        assertThatThrownBy(() -> TrainingCheckpoint.decode(new byte[] {1, 2, 3, 4, 5}))
                .isInstanceOf(CheckpointFormatException.class).hasMessageContaining("not a training checkpoint");
    }

    @Test
    void theArrayCountsOfACorruptCheckpointAreNotTrusted() {
        byte[] bytes = small().encode();
        bytes[17] = 0x7F; // the parameter count (after magic, version, epochs and step) becomes ~2^31
        assertThatThrownBy(() -> TrainingCheckpoint.decode(bytes)).isInstanceOf(CheckpointFormatException.class)
                .hasMessageContaining("truncated");
    }

    @Test
    void thePreviousReleasesCheckpointWithAdamsMomentsLoads() throws IOException {
        byte[] old = previousRelease(3, 60, 2, inner -> {
            writeArray(inner, 0.25f, -1f); // parameters: one of two values
            writeArray(inner, 0.5f, 0.5f); // shadows
            inner.writeLong(12);
            writeArray(inner, 0.01f, 0.02f); // Adam means
            writeArray(inner, 1e-4f, 2e-4f); // Adam variances
            inner.writeLong(60);
        });
        TrainingCheckpoint checkpoint = TrainingCheckpoint.decode(old);
        assertThat(checkpoint.epochsCompleted()).isEqualTo(3);
        assertThat(checkpoint.step()).isEqualTo(60);
        assertThat(checkpoint.parameters()).singleElement().satisfies(p -> assertThat(p).containsExactly(0.25f, -1f));
        assertThat(checkpoint.average().shadows()).singleElement()
                .satisfies(s -> assertThat(s).containsExactly(0.5f, 0.5f));
        assertThat(checkpoint.average().updates()).isEqualTo(12);
        assertThat(adam(checkpoint).variances()).singleElement()
                .satisfies(v -> assertThat(v).containsExactly(1e-4f, 2e-4f));
        assertThat(checkpoint.optimizer().steps()).isEqualTo(60);
    }

    @Test
    void thePreviousReleasesCheckpointWithoutMomentsLoadsWithoutThem() throws IOException {
        byte[] old = previousRelease(1, 20, 1, inner -> {
            writeArray(inner, 0.25f, -1f);
            inner.writeInt(0); // no shadows
            inner.writeLong(0);
        });
        TrainingCheckpoint checkpoint = TrainingCheckpoint.decode(old);
        assertThat(checkpoint.parameters()).singleElement().satisfies(p -> assertThat(p).containsExactly(0.25f, -1f));
        assertThat(checkpoint.average().shadows()).isEmpty();
        assertThat(checkpoint.optimizer()).isEqualTo(TrainingCheckpoint.AdamMoments.NONE);
    }

    private interface InnerState {
        void write(DataOutputStream out) throws IOException;
    }

    /** The previous release's file: storage's envelope (int version 1) around the core's state (byte version). */
    private static byte[] previousRelease(int epochs, long step, int innerVersion, InnerState state)
            throws IOException {
        ByteArrayOutputStream innerBytes = new ByteArrayOutputStream();
        try (DataOutputStream inner = new DataOutputStream(innerBytes)) {
            inner.writeInt(MAGIC);
            inner.writeByte(innerVersion);
            state.write(inner);
        }
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(MAGIC);
            out.writeInt(1);
            out.writeInt(epochs);
            out.writeLong(step);
            out.writeInt(innerBytes.size());
            out.write(innerBytes.toByteArray());
        }
        return bytes.toByteArray();
    }

    private static void writeArray(DataOutputStream out, float... values) throws IOException {
        out.writeInt(1);
        out.writeInt(values.length);
        for (float value : values) {
            out.writeFloat(value);
        }
    }
}
