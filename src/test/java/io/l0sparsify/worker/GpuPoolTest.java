package io.l0sparsify.worker;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Placement on a pretended set of GPUs: the engine is never asked. */
class GpuPoolTest {

    @Test
    void jobsThatLeaveTheChoiceGetOneGpuEachAndReuseTheFreedOne() {
        GpuPool pool = new GpuPool("auto", 3);
        assertThat(pool.workerGpus()).containsExactly(0, 1, 2);
        assertThat(pool.defaultConcurrency()).isEqualTo(3);
        GpuPool.Placement first = pool.place(null);
        GpuPool.Placement second = pool.place("auto");
        GpuPool.Placement third = pool.place("gpu");
        assertThat(first.device()).isEqualTo("gpu:0");
        assertThat(second.device()).isEqualTo("gpu:1");
        assertThat(third.device()).isEqualTo("gpu:2");
        second.close();
        second.close(); // closing twice frees once
        assertThat(pool.busy()).containsExactly(1, 0, 1);
        assertThat(pool.place(null).device()).isEqualTo("gpu:1");
    }

    @Test
    void namedDevicesAreHonouredAndCountAsBusy() {
        GpuPool pool = new GpuPool("gpu:1,2", 3);
        assertThat(pool.workerGpus()).containsExactly(1, 2);
        assertThat(pool.defaultConcurrency()).isEqualTo(2);
        try (GpuPool.Placement pinned = pool.place("gpu:1")) {
            assertThat(pinned.device()).isEqualTo("gpu:1");
            // the worker's free GPU is 2, not 0 (not the worker's) nor 1 (busy)
            assertThat(pool.place(null).device()).isEqualTo("gpu:2");
        }
        GpuPool.Placement all = pool.place("gpu:all");
        assertThat(all.device()).isEqualTo("gpu:0,1,2");
        assertThat(pool.place("gpu:2,0").device()).isEqualTo("gpu:2,0");
        assertThat(pool.busy()).containsExactly(2, 1, 3);
        assertThat(pool.place("cpu").device()).isEqualTo("cpu");
    }

    @Test
    void aCpuWorkerRunsOneLoopOnTheCpuButHonoursAJobThatWantsAGpu() {
        GpuPool cpuOnly = new GpuPool("auto", 0);
        assertThat(cpuOnly.workerGpus()).isEmpty();
        assertThat(cpuOnly.defaultConcurrency()).isEqualTo(1);
        assertThat(cpuOnly.place(null).device()).isEqualTo("cpu");
        assertThatThrownBy(() -> cpuOnly.place("gpu")).hasMessage("device: gpu requested but no GPU is visible");
        assertThatThrownBy(() -> cpuOnly.place("gpu:all"))
                .hasMessage("device: gpu:all requested but no GPU is visible");

        GpuPool cpuWorkerOnGpuMachine = new GpuPool("cpu", 2);
        assertThat(cpuWorkerOnGpuMachine.place("auto").device()).isEqualTo("cpu");
        assertThat(cpuWorkerOnGpuMachine.place("gpu").device()).isEqualTo("gpu:0");
        assertThat(cpuWorkerOnGpuMachine.place("gpu").device()).isEqualTo("gpu:1");
    }

    @Test
    void aWorkerDeviceOrJobDeviceThatIsNotThereIsAnError() {
        assertThatThrownBy(() -> new GpuPool("gpu:2", 2).workerGpus())
                .hasMessage("l0.worker.device: gpu:2 requested but only 2 GPU(s) are visible");
        assertThatThrownBy(() -> new GpuPool("gpu", 0).defaultConcurrency())
                .hasMessage("l0.worker.device: gpu but no GPU is visible");
        GpuPool pool = new GpuPool("auto", 2);
        assertThatThrownBy(() -> pool.place("gpu:0,5")).hasMessageContaining("only 2 GPU(s)");
        assertThat(pool.busy()).containsExactly(0, 0);
    }
}
