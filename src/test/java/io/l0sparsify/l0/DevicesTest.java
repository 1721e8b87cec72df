package io.l0sparsify.l0;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import org.junit.jupiter.api.Test;

class DevicesTest {

    @Test
    void autoPicksTheFirstGpuWhenThereIsOneAndTheCpuOtherwise() {
        assertThat(Devices.resolve("auto", 0)).isEqualTo(Device.cpu());
        assertThat(Devices.resolve("auto", 2)).isEqualTo(Device.gpu(0));
        assertThat(Devices.resolve("cpu", 2)).isEqualTo(Device.cpu());
        assertThat(Devices.resolve("gpu:1", 2)).isEqualTo(Device.gpu(1));
    }

    @Test
    void anAbsentGpuIsAnErrorNotASilentFallback() {
        assertThatThrownBy(() -> Devices.resolve("gpu", 0)).hasMessage("device: gpu requested but no GPU is visible");
        assertThatThrownBy(() -> Devices.resolve("gpu:2", 2))
                .hasMessage("device: gpu:2 requested but only 2 GPU(s) are visible");
    }

    @Test
    void unknownWordsAreRejected() {
        assertThatThrownBy(() -> Devices.parse("tpu")).hasMessageStartingWith("device: must be auto, cpu, gpu or gpu:N");
        assertThatThrownBy(() -> Devices.parse("gpu:-1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Devices.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void autoOnThisMachineFollowsTheGpusTheEngineSees() {
        int gpus = ai.djl.engine.Engine.getEngine("PyTorch").getGpuCount();
        assertThat(Devices.resolve("auto")).isEqualTo(gpus > 0 ? Device.gpu(0) : Device.cpu());
    }
}
