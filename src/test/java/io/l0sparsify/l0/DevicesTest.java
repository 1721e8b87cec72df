package io.l0sparsify.l0;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.Device;
import org.junit.jupiter.api.Test;

class DevicesTest {

    @Test
    void autoPicksTheFirstGpuWhenThereIsOneAndTheCpuOtherwise() {
        assertThat(Devices.resolve("auto", 0)).containsExactly(Device.cpu());
        assertThat(Devices.resolve("auto", 2)).containsExactly(Device.gpu(0));
        assertThat(Devices.resolve("cpu", 2)).containsExactly(Device.cpu());
        assertThat(Devices.resolve("gpu", 2)).containsExactly(Device.gpu(0));
        assertThat(Devices.resolve("gpu:1", 2)).containsExactly(Device.gpu(1));
    }

    @Test
    void listsAndAllNameSeveralGpusTheFirstHoldingTheParameters() {
        assertThat(Devices.resolve("gpu:all", 3)).containsExactly(Device.gpu(0), Device.gpu(1), Device.gpu(2));
        assertThat(Devices.resolve("gpu:2,0", 3)).containsExactly(Device.gpu(2), Device.gpu(0));
        assertThat(Devices.describe(Devices.resolve("gpu:0,1", 2))).isEqualTo("gpu(0)+gpu(1)");
    }

    @Test
    void anAbsentGpuIsAnErrorNotASilentFallback() {
        assertThatThrownBy(() -> Devices.resolve("gpu", 0)).hasMessage("device: gpu requested but no GPU is visible");
        assertThatThrownBy(() -> Devices.resolve("gpu:2", 2))
                .hasMessage("device: gpu:2 requested but only 2 GPU(s) are visible");
        assertThatThrownBy(() -> Devices.resolve("gpu:0,2", 2))
                .hasMessage("device: gpu:0,2 requested but only 2 GPU(s) are visible");
        assertThatThrownBy(() -> Devices.resolve("gpu:all", 0))
                .hasMessage("device: gpu:all requested but no GPU is visible");
    }

    @Test
    void unknownWordsAreRejected() {
        assertThatThrownBy(() -> Devices.parse("tpu"))
                .hasMessage("device: must be auto, cpu, gpu, gpu:N, a list gpu:N,M or gpu:all but is tpu");
        assertThatThrownBy(() -> Devices.parse("gpu:0,0")).hasMessage("device: gpu:0,0 names a GPU twice");
        assertThatThrownBy(() -> Devices.parse("gpu:0,")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Devices.parse("gpu:")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Devices.parse("gpu:-1")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> Devices.parse(null)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void autoOnThisMachineFollowsTheGpusTheEngineSees() {
        int gpus = ai.djl.engine.Engine.getEngine("PyTorch").getGpuCount();
        assertThat(Devices.resolve("auto")).containsExactly(gpus > 0 ? Device.gpu(0) : Device.cpu());
    }
}
