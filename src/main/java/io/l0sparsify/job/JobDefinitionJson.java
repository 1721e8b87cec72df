package io.l0sparsify.job;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.l0sparsify.dataset.DatasetRef;
import io.l0sparsify.dataset.Preprocessing;
import io.l0sparsify.l0.SizeTarget;
import io.l0sparsify.l0.TrainingOptions;
import io.l0sparsify.spec.LayerSpec;
import io.l0sparsify.spec.ModelSpec;
import io.l0sparsify.spec.Presets;
import java.time.Duration;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import tools.jackson.core.JacksonException;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.node.ObjectNode;

/**
 * The job request body of the contract ({@code POST /v1/jobs}) and the canonical JSON of a {@link JobDefinition}
 * (every default filled in, fields in a fixed order): what the database stores and what an
 * {@code Idempotency-Key} compares.
 *
 * <p>A request is checked against the contract's own schema ({@link JobRequestSchema}), bound by Jackson into
 * the records below, and then held to what no schema can say ({@link JobRules}). A stored definition is only
 * bound: it was checked when it was submitted.
 */
public final class JobDefinitionJson {

    /** The document: the contract's {@code JobRequest}, and the canonical form when every default is filled in. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record JobDocument(String name, ModelDocument model, DatasetRef dataset, TrainingOptions training,
            SweepDocument sweep, SelectDocument select) {}

    /** The contract's {@code Sweep}: the budgets one job trains, as fractions of {@code metric}. */
    record SweepDocument(String metric, List<Double> targets) {}

    /** The contract's {@code SweepSelect}: how a sweep names its main model. */
    record SelectDocument(Double maxErrorIncrease) {}

    /**
     * {@code {"preset": NAME}}, {@code {"inputShape": [...], "layers": [...]}} or {@code {"uri": "model:ID",
     * "preprocessing": {...}}}; the schema allows no mix in a request. The canonical form of an uploaded model
     * also holds the network it was imported as ({@code inputShape} and {@code layers}).
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record ModelDocument(String preset, String uri, PreprocessingDocument preprocessing, List<Integer> inputShape,
            List<LayerSpec> layers) {

        ModelDocument(String preset, List<Integer> inputShape, List<LayerSpec> layers) {
            this(preset, null, null, inputShape, layers);
        }
    }

    /** The contract's {@code InputPreprocessing}: {@code x' = (x · scale − mean[c]) / std[c]}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    record PreprocessingDocument(Double scale, List<Double> mean, List<Double> std) {

        static PreprocessingDocument of(Preprocessing preprocessing) {
            return preprocessing == null ? null
                    : new PreprocessingDocument(preprocessing.scale(), preprocessing.mean(), preprocessing.std());
        }

        /** Missing members take the identity's values: scale 1, mean 0, std 1. */
        Preprocessing toPreprocessing() {
            return new Preprocessing(scale == null ? 1.0 : scale, mean == null ? List.of(0.0) : mean,
                    std == null ? List.of(1.0) : std);
        }
    }

    private JobDefinitionJson() {}

    /** Validates and binds a request body; throws {@link JobValidationException} listing the problems. */
    public static JobDefinition parse(JsonNode body, JobLimits limits) {
        return parse(body, limits, UploadedModels.NONE);
    }

    /**
     * {@link #parse(JsonNode, JobLimits)} where {@code model: {"uri": ...}} may name one of {@code models}: the
     * network it imports as is checked like any other.
     */
    public static JobDefinition parse(JsonNode body, JobLimits limits, UploadedModels models) {
        JsonNode contractJson = JobRequestSchema.INSTANCE.validate(body);
        // Defaults that depend on other fields (a sweep's λ, a fine-tuning's drop rate) need to know what was
        // given; once bound, "not given" cannot be told apart from the default.
        JsonNode training = contractJson.path("training");
        JobRules.Given given = new JobRules.Given(training.has("lambda"), training.has("initialDropRate"),
                training.has("epochs"));
        return JobRules.check(bindRequest(contractJson), given, limits, models);
    }

    /** A definition as stored by {@link #write}: bound, not validated again. */
    static JobDefinition read(String canonicalJson) {
        JobDocument document = JobJson.MAPPER.readValue(canonicalJson, JobDocument.class);
        ModelDocument model = document.model();
        ModelSpec spec = model.preset() != null
                ? Presets.byName(model.preset()).orElseThrow(
                        () -> new IllegalStateException("stored job names an unknown preset " + model.preset()))
                : new ModelSpec(model.inputShape(), model.layers());
        UploadedModelRef upload = model.uri() == null ? null
                : new UploadedModelRef(model.uri(),
                        model.preprocessing() == null ? null : model.preprocessing().toPreprocessing());
        return new JobDefinition(document.name(), model.preset(), spec, document.dataset(), document.training(),
                sweepPlan(document.sweep(), document.select()), upload);
    }

    /** The canonical JSON of a definition; {@link #read} of it gives the same definition. */
    public static ObjectNode write(JobDefinition definition) {
        UploadedModelRef upload = definition.upload();
        ModelDocument model = definition.preset() != null
                ? new ModelDocument(definition.preset(), null, null)
                : upload != null
                ? new ModelDocument(null, upload.uri(), PreprocessingDocument.of(upload.preprocessing()),
                        definition.model().inputShape(), definition.model().layers())
                : new ModelDocument(null, definition.model().inputShape(), definition.model().layers());
        SweepPlan sweep = definition.sweep();
        return JobJson.MAPPER.valueToTree(new JobDocument(definition.name(), model,
                definition.dataset(), definition.training(),
                sweep == null ? null : new SweepDocument(sweep.metric().field(), sweep.targets()),
                sweep == null || sweep.maxErrorIncrease() == null ? null
                        : new SelectDocument(sweep.maxErrorIncrease())));
    }

    /** The plan of a sweep as the documents give it, targets densest first; null without a sweep. */
    static SweepPlan sweepPlan(SweepDocument sweep, SelectDocument select) {
        if (sweep == null) {
            return null;
        }
        SizeTarget.Metric metric = Arrays.stream(SizeTarget.Metric.values())
                .filter(m -> m.field().equals(sweep.metric())).findFirst()
                .orElseThrow(() -> new IllegalArgumentException("unknown sweep metric " + sweep.metric()));
        List<Double> targets = sweep.targets().stream().sorted(Comparator.reverseOrder()).toList();
        return new SweepPlan(metric, targets, select == null ? null : select.maxErrorIncrease());
    }

    /** The contract's {@code DatasetRef} of a job, as its definition stores it. */
    public static ObjectNode writeDataset(DatasetRef dataset) {
        return JobJson.MAPPER.valueToTree(dataset);
    }

    /** The contract's {@code training} object of a job. */
    public static ObjectNode writeTraining(TrainingOptions training) {
        return JobJson.MAPPER.valueToTree(training);
    }

    /**
     * Binds a body the schema accepted. What the core's {@link TrainingOptions.Builder#build()} refuses (a device
     * naming a GPU twice) and values no Java type holds are reported at their field.
     */
    private static JobDocument bindRequest(JsonNode contractJson) {
        try {
            return JobJson.MAPPER.treeToValue(contractJson, JobDocument.class);
        } catch (JacksonException e) {
            IllegalArgumentException refused = refusedByCore(e);
            if (refused != null) {
                throw new JobValidationException(List.of(FieldPaths.fromPrefixedMessage("training.",
                        refused.getMessage())));
            }
            throw new JobValidationException(FieldPaths.of(e.getPath()), expected(e));
        }
    }

    /** What a value that no Java field can hold (2.0 or 3000000000 for an int) should have been. */
    private static String expected(JacksonException e) {
        Class<?> target = e instanceof MismatchedInputException mismatch ? mismatch.getTargetType()
                : e instanceof InputCoercionException coercion ? coercion.getTargetType() : null;
        boolean isInt = target == int.class || target == Integer.class;
        if (isInt || target == long.class || target == Long.class) {
            return !(e instanceof InputCoercionException) ? "must be an integer"
                    : isInt ? "must be between " + Integer.MIN_VALUE + " and " + Integer.MAX_VALUE
                    : "must be between " + Long.MIN_VALUE + " and " + Long.MAX_VALUE;
        }
        if (target == Duration.class) {
            return "must be an ISO-8601 duration such as PT30M";
        }
        // Jackson's own message names Java types and classes: not for a client
        return target != null ? "must be a valid " + target.getSimpleName().toLowerCase(Locale.ROOT)
                : "has a value this field cannot hold";
    }

    private static IllegalArgumentException refusedByCore(Throwable e) {
        for (Throwable cause = e; cause != null; cause = cause.getCause()) {
            if (cause instanceof IllegalArgumentException refused && !(cause instanceof NumberFormatException)) {
                return refused;
            }
        }
        return null;
    }
}
