package io.l0sparsify.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.l0sparsify.prune.PrunedNetwork;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OnnxRuntimeRunnerTest {

    @Test
    void latencyMeasurementReportsItsSettingsAndAMedianNotAboveP90() {
        byte[] model = OnnxExporter.export(TestNetworks.lenet(41), "lenet", TestNetworks.MNIST);

        LatencyMeasurement m = OnnxRuntimeRunner.measureLatency(model, 4, 1, 5, 51);

        assertEquals(4, m.batchSize());
        assertEquals(1, m.threads());
        assertEquals(51, m.runs());
        assertTrue(m.medianMicros() > 0, m.toString());
        assertTrue(m.p90Micros() >= m.medianMicros(), m.toString());
    }

    @Test
    void twoIntraOpThreadsGiveTheSameLogitsAsOne() {
        PrunedNetwork network = TestNetworks.mlp(42);
        byte[] model = OnnxExporter.export(network, "mlp", TestNetworks.MNIST);
        float[] inputs = TestNetworks.inputs(network, 7, 43);

        OnnxExporterTest.assertClose(OnnxRuntimeRunner.run(model, inputs, 7, 1),
                OnnxRuntimeRunner.run(model, inputs, 7, 2));
    }

    @Test
    void aSessionRunsBatchesOfAnySizeAsSeparateRunsWould() {
        PrunedNetwork network = TestNetworks.lenet(45);
        byte[] model = OnnxExporter.export(network, "lenet", TestNetworks.MNIST);
        float[] five = TestNetworks.inputs(network, 5, 46);
        float[] two = TestNetworks.inputs(network, 2, 47);

        try (OnnxRuntimeRunner.Session session = OnnxRuntimeRunner.open(model, 1)) {
            OnnxExporterTest.assertClose(OnnxRuntimeRunner.run(model, five, 5), session.run(five, 5));
            OnnxExporterTest.assertClose(OnnxRuntimeRunner.run(model, two, 2), session.run(two, 2));
            assertThrows(IllegalArgumentException.class, () -> session.run(two, 3));
            // a refused batch leaves the session usable
            OnnxExporterTest.assertClose(OnnxRuntimeRunner.run(model, five, 5), session.run(five, 5));
        }
    }

    @Test
    void runRejectsInputsThatAreNotBatchTimesTheInputSize() {
        byte[] model = OnnxExporter.export(TestNetworks.lenet(44), "lenet", TestNetworks.MNIST);

        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> OnnxRuntimeRunner.run(model, new float[2 * 784 - 1], 2));

        assertTrue(e.getMessage().contains("expected 1568 input values for shape [2, 1, 28, 28]"), e.getMessage());
    }

    @Test
    void runReportsBytesThatAreNotAnOnnxModel() {
        byte[] garbage = "not a model".getBytes(StandardCharsets.UTF_8);

        assertThrows(IllegalStateException.class, () -> OnnxRuntimeRunner.run(garbage, new float[784], 1));
    }
}
