package io.l0sparsify.job;

import io.l0sparsify.dataset.DatasetRef;
import io.l0sparsify.dataset.InputShape;
import io.l0sparsify.job.JobDefinitionJson.JobDocument;
import io.l0sparsify.job.JobDefinitionJson.ModelDocument;
import io.l0sparsify.l0.L0Trainer;
import io.l0sparsify.l0.TrainingOptions;
import io.l0sparsify.spec.ModelSpec;
import io.l0sparsify.spec.Presets;
import io.l0sparsify.spec.SpecException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * What a job request must satisfy beyond its schema: the service's limits ({@code l0.limits.*}), a known preset,
 * shapes that chain ({@link ModelSpec#of}), and training options that fit the network (one λ or initial drop
 * rate per gated layer). Ranges the contract states (epochs at least 1, a learning rate in (0, 10], ...) are
 * checked by the schema and not here.
 */
final class JobRules {

    /** A training step keeps every activation as a 4-byte float and its gradient beside it. */
    private static final long TRAINING_BYTES_PER_VALUE = 2 * Float.BYTES;
    /** An evaluation step keeps the activations only. */
    private static final long EVALUATION_BYTES_PER_VALUE = Float.BYTES;

    private JobRules() {}

    /**
     * The initial drop rate of a fine-tuning's gates when none is given: log α = ln(0.95/0.05) ≈ 2.94 puts every
     * test-time gate at 1 (it is 1 from ln 11 ≈ 2.40 up), so the network starts exactly as the upload computes,
     * while training gates still sample closed ones now and then. From scratch, drop rates of 0.5 (dense) and
     * 0.3 (residual blocks) would start with most test-time gates below 1.
     */
    static final double FINE_TUNING_DROP_RATE = 0.05;
    /** Epochs of a fine-tuning when none are given: the weights start trained; the paper's 200 are from scratch. */
    static final int FINE_TUNING_EPOCHS = 20;

    /** Which optional members the request gave, where a default depends on other fields. */
    record Given(boolean lambda, boolean initialDropRate, boolean epochs) {}

    /** The definition of a schema-valid request, or {@link JobValidationException} with every rule it breaks. */
    static JobDefinition check(JobDocument request, Given given, JobLimits limits, UploadedModels models) {
        List<FieldError> errors = new ArrayList<>();
        ModelDocument model = request.model();
        UploadedModelRef upload = model.uri() != null ? upload(model, errors) : null;
        ModelSpec spec = model.preset() != null ? preset(model.preset(), limits, errors)
                : upload != null ? uploaded(upload, limits, models, errors)
                : inline(model, limits, errors);
        TrainingOptions training = request.training() != null ? request.training() : TrainingOptions.defaults();
        if (upload != null && !given.initialDropRate()) {
            training = training.toBuilder().optInitialDropRates(List.of(FINE_TUNING_DROP_RATE)).build();
        }
        if (upload != null && !given.epochs()) {
            training = training.toBuilder().optEpochs(FINE_TUNING_EPOCHS).build();
        }
        if (spec != null && upload != null && upload.preprocessing() != null
                && !upload.preprocessing().fits(new InputShape(spec.inputShape()))) {
            errors.add(new FieldError("model.preprocessing.mean", "has " + upload.preprocessing().mean().size()
                    + " values; the model's input " + spec.inputShape() + " needs one, or one per channel"));
        }
        if (training.epochs() > limits.maxEpochs()) {
            errors.add(new FieldError("training.epochs", "must be at most " + limits.maxEpochs() + " but is "
                    + training.epochs()));
        }
        if (training.batchSize() > limits.maxBatchSize()) {
            errors.add(new FieldError("training.batchSize", "must be at most " + limits.maxBatchSize() + " but is "
                    + training.batchSize()));
        }
        if (training.maxRuntime() == null) {
            // a job always has a budget: the service's cap when the user gave none
            training = training.toBuilder().optMaxRuntime(limits.maxRuntime()).build();
        } else if (training.maxRuntime().compareTo(limits.maxRuntime()) > 0) {
            errors.add(new FieldError("training.maxRuntime", "must be at most " + limits.maxRuntime() + " but is "
                    + training.maxRuntime()));
        }
        if (spec != null) {
            checkStepMemory(spec, model.preset() != null || upload != null, training.batchSize(), limits, errors);
            try {
                training.validateFor(spec);
            } catch (IllegalArgumentException e) {
                errors.add(FieldPaths.fromPrefixedMessage("training.", e.getMessage()));
            }
        }
        DatasetRef dataset = request.dataset();
        checkDataset(dataset, errors);
        training = checkSweep(request, training, given.lambda(), spec, errors);
        if (!errors.isEmpty()) {
            throw new JobValidationException(errors);
        }
        return new JobDefinition(request.name(), model.preset(), spec, dataset, training,
                JobDefinitionJson.sweepPlan(request.sweep(), request.select()), upload);
    }

    /**
     * A sweep sets each point's budget itself, so it excludes {@code training.target}; its targets must be distinct
     * (two points of one size are one point twice); {@code select} only chooses among a sweep's points. Without
     * λ given, the points train with λ = 0, as a run with a target does. Returns the training options the points
     * start from.
     */
    private static TrainingOptions checkSweep(JobDocument request, TrainingOptions training, boolean lambdaGiven,
            ModelSpec spec, List<FieldError> errors) {
        JobDefinitionJson.SweepDocument sweep = request.sweep();
        if (sweep == null) {
            if (request.select() != null) {
                errors.add(new FieldError("select", "applies only to a sweep: give sweep as well, or leave select out"));
            }
            return training;
        }
        if (training.target() != null) {
            errors.add(new FieldError("training.target", "a sweep sets each point's budget from sweep.targets;"
                    + " leave training.target out"));
            return training;
        }
        List<Double> targets = sweep.targets();
        for (int i = 0; i < targets.size(); i++) {
            if (targets.subList(0, i).contains(targets.get(i))) {
                errors.add(new FieldError("sweep.targets[" + i + "]", "repeats the target " + targets.get(i)
                        + "; each target must be different"));
            }
        }
        if (!lambdaGiven) {
            training = training.toBuilder().optLambdas(List.of(0.0)).build();
        }
        if (spec != null) {
            try {
                SweepPlan plan = JobDefinitionJson.sweepPlan(sweep, request.select());
                training.toBuilder().optTarget(plan.target(0)).build().validateFor(spec);
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError("sweep", e.getMessage().replaceFirst("^target: ", "")));
            }
        }
        return training;
    }

    /**
     * What a reference's scheme asks of its other members: a digest is required where the bytes come from a
     * host the service does not control ({@code https:}), and meaningless where the service itself holds the
     * data ({@code builtin:}, {@code dataset:}), as is a format. Whether the location exists is asked later, by
     * {@link JobService}.
     */
    private static void checkDataset(DatasetRef dataset, List<FieldError> errors) {
        String uri = dataset.uri();
        if (uri.startsWith("https://") && dataset.sha256() == null) {
            errors.add(new FieldError("dataset.sha256", "is required for an https: dataset: the worker checks"
                    + " the downloaded file against it"));
        }
        boolean held = uri.startsWith("builtin:") || uri.startsWith("dataset:");
        if (held && dataset.sha256() != null) {
            errors.add(new FieldError("dataset.sha256", "applies only to file:, s3: and https: files; the service"
                    + " knows the content of " + uri.substring(0, uri.indexOf(':') + 1) + " datasets"));
        }
        if (held && dataset.format() != null) {
            errors.add(new FieldError("dataset.format", "applies only to file:, s3: and https: files; "
                    + uri.substring(0, uri.indexOf(':') + 1) + " datasets are already read"));
        }
    }

    /**
     * Refuses a job whose activations at its training batch, or at the evaluation batch, exceed
     * {@code l0.limits.max-step-memory}: such a job would not fail, it would get the worker's process killed. The
     * unfolded input of the largest convolution ({@link ModelSpec#unfoldedInputPerExample()}) counts too: a CPU
     * worker's default convolutions hold it for the whole batch beside the activations.
     */
    private static void checkStepMemory(ModelSpec spec, boolean preset, int batchSize, JobLimits limits,
            List<FieldError> errors) {
        long budget = limits.maxStepMemory().toBytes();
        long perExample = spec.activationsPerExample();
        long unfolded = spec.unfoldedInputPerExample();
        String unfoldedText = unfolded == 0 ? ""
                : " and unfolds " + unfolded + " for its largest convolution";
        long evaluation = saturatingSum(bytes(perExample, EVALUATION_BYTES_PER_VALUE, L0Trainer.EVAL_BATCH),
                bytes(unfolded, Float.BYTES, L0Trainer.EVAL_BATCH));
        if (evaluation > budget) {
            String field = preset ? "model" : "model.layers[" + spec.largestOutputLayer() + "]";
            errors.add(new FieldError(field, "the network holds " + perExample + " activation values per example"
                    + unfoldedText + ", so evaluating " + L0Trainer.EVAL_BATCH + " test examples at once needs "
                    + text(evaluation) + "; at most " + text(budget) + " (l0.limits.max-step-memory) is allowed;"
                    + " shrink this layer"));
            return;
        }
        long training = saturatingSum(bytes(perExample, TRAINING_BYTES_PER_VALUE, batchSize),
                bytes(unfolded, Float.BYTES, batchSize));
        if (training > budget) {
            long largestBatch = budget / (perExample * TRAINING_BYTES_PER_VALUE + unfolded * Float.BYTES);
            errors.add(new FieldError("training.batchSize", "a training step of " + batchSize + " examples needs "
                    + text(training) + " for its activations and their gradients (" + perExample
                    + " values per example" + unfoldedText + "); at most " + text(budget)
                    + " (l0.limits.max-step-memory) is allowed, which this network reaches above a batch of "
                    + largestBatch));
        }
    }

    /** {@code a + b} of two byte counts, saturating at {@link Long#MAX_VALUE} as {@link #bytes} does. */
    private static long saturatingSum(long a, long b) {
        try {
            return Math.addExact(a, b);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    /** {@code values · bytesPerValue · batch}, saturating at {@link Long#MAX_VALUE} rather than wrapping. */
    private static long bytes(long values, long bytesPerValue, int batch) {
        try {
            return Math.multiplyExact(Math.multiplyExact(values, bytesPerValue), batch);
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }

    private static String text(long bytes) {
        return String.format(Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
    }

    private static ModelSpec preset(String name, JobLimits limits, List<FieldError> errors) {
        ModelSpec spec = Presets.byName(name).orElse(null);
        if (spec == null) {
            errors.add(new FieldError("model.preset", "unknown preset '" + name + "'; known presets: "
                    + String.join(", ", Presets.names())));
            return null;
        }
        try {
            ModelSpec.of(spec.inputShape(), spec.layers(), limits.specLimits());
        } catch (SpecException e) {
            errors.add(new FieldError("model", "the preset exceeds this service's limits: " + e.getMessage()));
        }
        return spec;
    }

    private static UploadedModelRef upload(ModelDocument model, List<FieldError> errors) {
        JobDefinitionJson.PreprocessingDocument p = model.preprocessing();
        if (p == null) {
            return new UploadedModelRef(model.uri(), null);
        }
        int means = p.mean() == null ? 1 : p.mean().size();
        int stds = p.std() == null ? 1 : p.std().size();
        if (means != stds) {
            errors.add(new FieldError("model.preprocessing.std", "has " + stds + " values but mean has " + means
                    + "; give one standard deviation per mean"));
            return new UploadedModelRef(model.uri(), null);
        }
        return new UploadedModelRef(model.uri(), p.toPreprocessing());
    }

    private static ModelSpec uploaded(UploadedModelRef upload, JobLimits limits, UploadedModels models,
            List<FieldError> errors) {
        try {
            Optional<ModelSpec> network = models.network(upload.uri(), limits.specLimits());
            if (network.isEmpty()) {
                errors.add(new FieldError("model.uri", "names no uploaded model: " + upload.uri()
                        + " (GET /v1/models lists yours)"));
            }
            return network.orElse(null);
        } catch (IllegalArgumentException e) {
            errors.add(new FieldError("model.uri", upload.uri() + " cannot be fine-tuned: " + e.getMessage()));
            return null;
        }
    }

    private static ModelSpec inline(ModelDocument model, JobLimits limits, List<FieldError> errors) {
        try {
            return ModelSpec.of(model.inputShape(), model.layers(), limits.specLimits());
        } catch (SpecException e) {
            errors.add(new FieldError("model." + e.field(), e.reason()));
            return null;
        }
    }
}
