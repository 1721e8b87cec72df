package io.l0sparsify.l0;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.Test;

class CheckpointCodecTest {

    private static final ResumableAdam.State NO_MOMENTS = new ResumableAdam.State(List.of(), List.of(), 0);

    @Test
    void stateRoundTripsExactly() {
        CheckpointCodec.State state = new CheckpointCodec.State(
                List.of(new float[] {1.5f, -0f, Float.MIN_VALUE, 3.4028235e38f}, new float[0]),
                List.of(new float[] {0.1f, Float.NaN}), 4321,
                new ResumableAdam.State(List.of(new float[] {1e-9f, 2f}), List.of(new float[] {3f, 4e-20f}), 777));
        CheckpointCodec.State back = CheckpointCodec.decode(CheckpointCodec.encode(state));
        assertThat(back.parameters()).hasSize(2);
        assertThat(back.parameters().get(0)).containsExactly(state.parameters().get(0));
        assertThat(back.parameters().get(1)).isEmpty();
        assertThat(Float.floatToRawIntBits(back.shadows().get(0)[1]))
                .isEqualTo(Float.floatToRawIntBits(Float.NaN));
        assertThat(back.averageUpdates()).isEqualTo(4321);
        assertThat(back.optimizer().means()).singleElement().satisfies(m -> assertThat(m).containsExactly(1e-9f, 2f));
        assertThat(back.optimizer().variances()).singleElement()
                .satisfies(v -> assertThat(v).containsExactly(3f, 4e-20f));
        assertThat(back.optimizer().steps()).isEqualTo(777);
    }

    @Test
    void aVersionOneCheckpointLoadsWithoutMoments() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeInt(0x4C30434B);
            out.writeByte(1);
            out.writeInt(1); // one parameter of two values
            out.writeInt(2);
            out.writeFloat(0.25f);
            out.writeFloat(-1f);
            out.writeInt(0); // no shadows
            out.writeLong(12);
        }
        CheckpointCodec.State state = CheckpointCodec.decode(bytes.toByteArray());
        assertThat(state.parameters()).singleElement().satisfies(p -> assertThat(p).containsExactly(0.25f, -1f));
        assertThat(state.averageUpdates()).isEqualTo(12);
        assertThat(state.optimizer().means()).isEmpty();
    }

    @Test
    void unknownVersionAndTruncationAreRefused() {
        byte[] bytes = CheckpointCodec.encode(new CheckpointCodec.State(List.of(new float[] {1f}), List.of(), 0,
                NO_MOMENTS));
        byte[] future = bytes.clone();
        future[4] = 9;
        assertThatThrownBy(() -> CheckpointCodec.decode(future)).hasMessageContaining("version 9");
        assertThatThrownBy(() -> CheckpointCodec.decode(java.util.Arrays.copyOf(bytes, bytes.length - 2)))
                .hasMessageContaining("truncated");
        assertThatThrownBy(() -> CheckpointCodec.decode(new byte[] {1, 2, 3, 4, 5}))
                .hasMessageContaining("not a training checkpoint");
    }
}
