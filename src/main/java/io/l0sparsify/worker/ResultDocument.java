package io.l0sparsify.worker;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.l0sparsify.dataset.TrainingData;
import io.l0sparsify.export.DataConventions;
import io.l0sparsify.export.LatencyMeasurement;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;

/**
 * result.json, what {@code GET /v1/jobs/{id}/result} returns (schema {@code Result} in openapi.yaml). Jackson
 * writes the components in the order declared here, which is the order of the schema; absent optional parts
 * are null and left out.
 *
 * @param formatVersion {@link JobArtifacts#RESULT_FORMAT_VERSION}
 * @param name the job's name, if it has one
 * @param layers one entry per weighted layer (dense and convolution) of the pruned network
 * @param testError test error of the pruned network
 * @param gatedTestError test error of the gated network with deterministic gates
 * @param compressionRatio dense over pruned parameters (0 when nothing is left)
 * @param flopReduction dense over pruned FLOPs (0 when nothing is left)
 * @param model the model as written in the job's definition
 * @param preset the preset the model came from, if it did
 * @param training the training settings as the user gave them
 * @param keptInputsModel the pruned network that takes only its kept inputs, when it starts by gathering them
 * @param budget how a job with a size budget met it; null without one
 * @param original a fine-tuned upload beside its pruned form; null for a network trained from scratch
 * @param preprocessing how raw values became the network's input, as weights.json and model.onnx record it
 * @param artifacts download links by artifact name, in the order of the artifact list
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record ResultDocument(
        int formatVersion,
        String jobId,
        String name,
        String architecture,
        List<Layer> layers,
        double testError,
        double gatedTestError,
        DenseVsPruned parameters,
        DenseVsPruned flops,
        double compressionRatio,
        double flopReduction,
        int epochsCompleted,
        boolean stoppedEarly,
        double trainingSeconds,
        String device,
        long seed,
        JsonNode model,
        String preset,
        JsonNode training,
        Dataset dataset,
        Latency latency,
        DenseVsPruned onnxFileBytes,
        KeptInputsModel keptInputsModel,
        Budget budget,
        UploadComparison original,
        DataConventions.PreprocessingJson preprocessing,
        Map<String, String> artifacts) {

    /** How a job with a size budget met it; {@link io.l0sparsify.l0.BudgetOutcome} in the contract's names. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Budget(String metric, double target, double expected, double deterministic, double lambda1,
            double lambda2, Enforcement enforcement) {

        static Budget of(io.l0sparsify.l0.BudgetOutcome b) {
            if (b == null) {
                return null;
            }
            var e = b.enforcement();
            return new Budget(b.metric().field(), b.target(), b.expected(), b.deterministic(), b.lambda1(),
                    b.lambda2(), e == null ? null : new Enforcement(e.groupsClosed(), e.sizeBefore(), e.sizeAfter(),
                            e.fits(), e.testErrorBefore(), e.testErrorAfter(), e.fineTuneEpochs()));
        }
    }

    record Enforcement(int groupsClosed, double sizeBefore, double sizeAfter, boolean fits, double testErrorBefore,
            double testErrorAfter, int fineTuneEpochs) {}

    /** A count (parameters, FLOPs, bytes) of the unpruned network and of the pruned one. */
    record DenseVsPruned(long dense, long pruned) {}

    /**
     * One weighted layer after pruning. A dense layer's gates sit on its inputs, so its units are the inputs it
     * keeps; a convolution's are its filters.
     *
     * @param type "dense" or "conv2d"
     * @param unitKind "inputs" or "filters"
     * @param outputs dense layers only: the outputs kept
     * @param inputChannels convolutions only: the input channels kept
     * @param parameters weights and biases before pruning and after
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Layer(String name, String type, boolean gated, String unitKind, int originalUnits, int keptUnits,
            int[] keptIndices, Integer outputs, Integer inputChannels, DenseVsPruned parameters) {}

    /**
     * Where the data came from, as counted after any configured subsetting.
     *
     * @param sha256 the SHA-256 of what the worker read ({@link io.l0sparsify.dataset.DatasetLoader.Loaded})
     * @param split where the test examples came from
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Dataset(String uri, String sha256, int trainExamples, int testExamples, Split split) {

        /** Counts alone, for a run whose data carries no digest or split record. */
        Dataset(String uri, int trainExamples, int testExamples) {
            this(uri, null, trainExamples, testExamples, null);
        }

        /** The record of a run's prepared data. */
        static Dataset of(String uri, JobDataLoader.PreparedData prepared) {
            TrainingData data = prepared.data();
            return new Dataset(uri, prepared.sha256(), data.train().size(), data.test().size(),
                    Split.of(data.split(), data.train().size(), data.test().size()));
        }
    }

    /**
     * The split a run used: {@code format} (the dataset's own) or {@code held-out} (with its fraction and seed).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record Split(String origin, Double testFraction, Long seed, int trainExamples, int testExamples) {

        static Split of(TrainingData.SplitOrigin origin, int train, int test) {
            return switch (origin) {
                case TrainingData.SplitOrigin.FromFormat f -> new Split("format", null, null, train, test);
                case TrainingData.SplitOrigin.HeldOut(double fraction, long seed) ->
                        new Split("held-out", fraction, seed, train, test);
            };
        }
    }

    /** ONNX Runtime latency of the dense and the pruned model, measured on the worker right after export. */
    record Latency(String runtime, int threads, int warmupRuns, int runs, LatencyPair dense, LatencyPair pruned) {}

    record LatencyPair(LatencyPoint batch1, LatencyPoint batch100) {}

    record LatencyPoint(int batchSize, double medianMicros, double p90Micros) {

        static LatencyPoint of(LatencyMeasurement measurement) {
            return new LatencyPoint(measurement.batchSize(), measurement.medianMicros(), measurement.p90Micros());
        }
    }

    /**
     * The uploaded model as it came and the model this job delivers, measured alike: test error on this run's test
     * split by ONNX Runtime, parameters and FLOPs per example, ONNX Runtime latency, file size.
     *
     * @param model the upload's {@code model:ID}
     * @param foldedNormalizations the upload's batch normalizations folded into a shortcut's 1×1 convolution
     */
    record UploadComparison(String model, Side original, Side pruned, List<String> foldedNormalizations) {}

    record Side(double testError, long parameters, long flops, LatencyPair latency, long onnxFileBytes) {}

    /** The pruned network fed only its kept inputs, in the order of {@code layers[0].keptIndices}. */
    record KeptInputsModel(String artifact, int inputs, long onnxFileBytes, LatencyPair latency) {}
}
