package io.l0sparsify.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.l0sparsify.bench.InferenceBenchmark;
import io.l0sparsify.bench.InferenceLatency;
import io.l0sparsify.prune.PrunedNetwork;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The inference benchmark on two small networks: its JMH state opens and runs each model, and the command writes
 * its report end to end, in this JVM with few short iterations. It is a command, not a test of speed.
 */
class InferenceBenchmarkSmokeTest {

    @Test
    void everyModelOfTheJmhStateOpensAndRuns(@TempDir Path dir) throws Exception {
        PrunedNetwork pruned = TestNetworks.mlp(51);
        Files.write(dir.resolve("weights-dense.json"), WeightsJson.write(TestNetworks.mlp(52), TestNetworks.MNIST));
        Files.write(dir.resolve("weights.json"), WeightsJson.write(pruned, TestNetworks.MNIST));
        for (InferenceLatency.Model model : InferenceLatency.Model.values()) {
            InferenceLatency state = new InferenceLatency();
            state.dense = dir.resolve("weights-dense.json").toString();
            state.pruned = dir.resolve("weights.json").toString();
            state.model = model;
            state.batch = 100;
            state.threads = 1;
            state.open();
            try {
                assertEquals(1, state.run(), model + ": one output, the logits");
            } finally {
                state.close();
            }
        }
    }

    @Test
    void benchmarkWritesJsonAndMarkdownWithSizesFlopsAndSpeedUps(@TempDir Path dir) throws Exception {
        PrunedNetwork pruned = TestNetworks.mlp(51);
        PrunedNetwork other = TestNetworks.mlp(52);
        Files.write(dir.resolve("weights-dense.json"), WeightsJson.write(other, TestNetworks.MNIST));
        Files.write(dir.resolve("weights.json"), WeightsJson.write(pruned, TestNetworks.MNIST));

        int exit = new CommandLine(new InferenceBenchmark()).execute("--dense",
                dir.resolve("weights-dense.json").toString(), "--pruned", dir.resolve("weights.json").toString(),
                "--out", dir.resolve("out/mlp").toString(), "--threads", "2", "--forks", "0",
                "--warmup-iterations", "1", "--iterations", "1", "--iteration-ms", "20");

        assertEquals(0, exit);
        JsonNode report = JsonMapper.builder().build().readTree(dir.resolve("out/mlp.json").toFile());
        assertEquals(pruned.flops(), report.get("pruned").get("flops").asLong());
        assertEquals(pruned.parameterCount(), report.get("pruned").get("parameters").asLong());
        assertEquals(OnnxExporter.export(pruned, "pruned", TestNetworks.MNIST).length,
                report.get("pruned").get("onnxBytes").asLong());
        assertEquals(4, report.get("latency").size(), "batch 1 and 100, with 1 and 2 threads");
        JsonNode first = report.get("latency").get(0);
        assertEquals(1, first.get("batchSize").asInt());
        assertEquals(1, first.get("threads").asInt());
        assertTrue(first.get("speedup").asDouble() > 0);
        assertTrue(first.get("fixedCost").get("medianMicros").asDouble() > 0);
        assertTrue(first.get("prunedCompactInput").get("medianMicros").asDouble() > 0);
        assertEquals(0, report.get("measurement").get("forks").asInt());
        String markdown = Files.readString(dir.resolve("out/mlp.md"));
        assertTrue(markdown.contains("| FLOPs per example | " + other.flops() + " | " + pruned.flops()), markdown);
        assertTrue(markdown.contains("of the FLOP ratio"), markdown);
    }

    @Test
    void aMissingRequiredOptionIsAUsageError() {
        assertEquals(2, new CommandLine(new InferenceBenchmark()).execute("--dense", "d.json"));
    }
}
