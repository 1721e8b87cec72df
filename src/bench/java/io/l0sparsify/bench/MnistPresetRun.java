package io.l0sparsify.bench;

import io.l0sparsify.dataset.IdxReader;
import io.l0sparsify.dataset.InputShape;
import io.l0sparsify.dataset.TrainingData;
import io.l0sparsify.spec.ModelSpec;
import io.l0sparsify.spec.Presets;
import java.nio.file.Path;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParameterException;

/** What the MNIST training benchmarks set up alike: the preset by name, the engine's threads, the data. */
final class MnistPresetRun {

    private MnistPresetRun() {}

    /** The preset {@code name}; an unknown name is a usage error of {@code command} that lists the known ones. */
    static ModelSpec preset(CommandSpec command, String name) {
        return Presets.byName(name).orElseThrow(() -> new ParameterException(command.commandLine(),
                "unknown preset " + name + "; known: " + Presets.names()));
    }

    /** PyTorch's intra-op threads for this process, with one inter-op thread; before the engine starts. */
    static void useThreads(int intraOp) {
        System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(intraOp));
        System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    }

    /** MNIST's given split from its IDX files in {@code directory}, shaped as {@code model} takes it. */
    static TrainingData mnist(Path directory, ModelSpec model) {
        return TrainingData.ofGivenSplit(IdxReader.readSplit(directory)).shapedFor(new InputShape(model.inputShape()));
    }
}
