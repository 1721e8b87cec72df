package io.l0sparsify.l0;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class CheckpointCodecTest {

    @Test
    void stateRoundTripsExactly() {
        CheckpointCodec.State state = new CheckpointCodec.State(
                List.of(new float[] {1.5f, -0f, Float.MIN_VALUE, 3.4028235e38f}, new float[0]),
                List.of(new float[] {0.1f, Float.NaN}), 4321);
        CheckpointCodec.State back = CheckpointCodec.decode(CheckpointCodec.encode(state));
        assertThat(back.parameters()).hasSize(2);
        assertThat(back.parameters().get(0)).containsExactly(state.parameters().get(0));
        assertThat(back.parameters().get(1)).isEmpty();
        assertThat(Float.floatToRawIntBits(back.shadows().get(0)[1]))
                .isEqualTo(Float.floatToRawIntBits(Float.NaN));
        assertThat(back.averageUpdates()).isEqualTo(4321);
    }

    @Test
    void unknownVersionAndTruncationAreRefused() {
        byte[] bytes = CheckpointCodec.encode(new CheckpointCodec.State(List.of(new float[] {1f}), List.of(), 0));
        byte[] future = bytes.clone();
        future[4] = 9;
        assertThatThrownBy(() -> CheckpointCodec.decode(future)).hasMessageContaining("version 9");
        assertThatThrownBy(() -> CheckpointCodec.decode(java.util.Arrays.copyOf(bytes, bytes.length - 2)))
                .hasMessageContaining("truncated");
        assertThatThrownBy(() -> CheckpointCodec.decode(new byte[] {1, 2, 3, 4, 5}))
                .hasMessageContaining("not a training checkpoint");
    }
}
