package io.l0sparsify.worker;

import io.l0sparsify.ConditionalOnRole;
import io.l0sparsify.Role;
import io.l0sparsify.export.DataConventions;
import io.l0sparsify.export.GraphInterface;
import io.l0sparsify.export.LatencyMeasurement;
import io.l0sparsify.export.OnnxExporter;
import io.l0sparsify.export.OnnxRuntimeRunner;
import io.l0sparsify.export.WeightsJson;
import io.l0sparsify.job.Job;
import io.l0sparsify.job.JobDefinition;
import io.l0sparsify.l0.TrainingOptions;
import io.l0sparsify.l0.TrainingResult;
import io.l0sparsify.prune.PrunedLayer;
import io.l0sparsify.storage.ArtifactStore;
import java.io.IOException;
import org.springframework.stereotype.Component;

/**
 * Publishes a trained run: exports the pruned, dense and (where the network gathers its inputs) kept-inputs
 * models to ONNX, measures their latency in ONNX Runtime, and writes the artifact set with result.json last,
 * so that its presence means the set is complete.
 */
@ConditionalOnRole({Role.ALL, Role.WORKER})
@Component
class ArtifactPublisher {

    private final ArtifactStore artifacts;
    private final WorkerProperties properties;

    ArtifactPublisher(ArtifactStore artifacts, WorkerProperties properties) {
        this.artifacts = artifacts;
        this.properties = properties;
    }

    /** Writes nothing when the lease is lost by the time the set is ready: the job is another worker's then. */
    void publish(Job job, RunInputs.Prepared inputs, TrainingResult result, LeaseHeartbeat.Lease lease)
            throws IOException {
        JobDefinition definition = job.definition();
        TrainingOptions config = inputs.config();
        String modelName = job.name() != null ? job.name() : "l0-" + job.id();
        // every artifact records the preprocessing and class names the run trained with
        DataConventions conventions = new DataConventions(inputs.data().preprocessing(), inputs.data().classNames());
        // a fine-tuned upload keeps the upload's names and output function: it replaces the upload as it is
        GraphInterface io = inputs.imported() == null ? GraphInterface.LOGITS : inputs.imported().graphInterface();
        byte[] prunedOnnx = OnnxExporter.export(result.pruned(), modelName, conventions, io);
        byte[] denseOnnx = OnnxExporter.export(result.dense(), modelName + "-dense", conventions, io);
        // Fed only its kept inputs, the pruned MLP skips the gather that selects them (faster; see result.json).
        DataConventions keptConventions = result.pruned().layers().getFirst() instanceof PrunedLayer.Dense first
                ? conventions.forKeptInputs(first.keptInputs()) : conventions;
        byte[] keptInputsOnnx = result.pruned().keptInputsOnly()
                .map(network -> OnnxExporter.export(network, modelName + "-kept-inputs", keptConventions, io))
                .orElse(null);
        JobArtifacts.KeptInputsModel keptInputs = keptInputsOnnx == null ? null
                : new JobArtifacts.KeptInputsModel(result.pruned().keptInputsOnly().get().inputSize(),
                        latency(keptInputsOnnx, 1), latency(keptInputsOnnx, 100), keptInputsOnnx.length);
        JobArtifacts.Measurements measurements = new JobArtifacts.Measurements(
                latency(denseOnnx, 1), latency(denseOnnx, 100), latency(prunedOnnx, 1), latency(prunedOnnx, 100),
                denseOnnx.length, prunedOnnx.length, properties.latency().warmupRuns(), keptInputs);
        ResultDocument.Dataset data = inputs.dataset();

        if (lease.lost()) {
            // Another worker holds the job now and writes its own artifacts; ours would only race with them.
            return;
        }
        // A rerun of an interrupted attempt replaces whatever the earlier attempt left.
        artifacts.put(job.id(), JobArtifacts.MODEL, prunedOnnx);
        if (keptInputsOnnx != null) {
            artifacts.put(job.id(), JobArtifacts.MODEL_KEPT_INPUTS, keptInputsOnnx);
        }
        artifacts.put(job.id(), JobArtifacts.WEIGHTS, WeightsJson.write(result.pruned(), conventions));
        artifacts.put(job.id(), JobArtifacts.METRICS, JobArtifacts.metricsCsv(result.history(), config));
        artifacts.put(job.id(), JobArtifacts.PARAMS, result.gatedParameters());
        artifacts.put(job.id(), JobArtifacts.SPEC, JobArtifacts.spec(definition));
        artifacts.put(job.id(), JobArtifacts.TRAINING_SVG, RunCharts.training(result.history(), modelName));
        artifacts.put(job.id(), JobArtifacts.LAYERS_SVG, RunCharts.layers(result.pruned(), modelName));
        // result.json last: its presence means the set is complete.
        artifacts.put(job.id(), JobArtifacts.RESULT,
                JobArtifacts.result(job, definition, config, result, data, measurements, conventions,
                        inputs.original()));
    }

    private LatencyMeasurement latency(byte[] model, int batch) {
        return latency(model, batch, properties.latency());
    }

    /** ONNX Runtime's latency of {@code model} at {@code batch}, measured as the worker is configured to. */
    static LatencyMeasurement latency(byte[] model, int batch, WorkerProperties.Latency l) {
        return OnnxRuntimeRunner.measureLatency(model, batch, l.threads(), l.warmupRuns(), l.runs());
    }
}
