package io.l0sparsify.job;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.l0sparsify.l0.SizeTarget;
import io.l0sparsify.l0.TrainingOptions;
import java.time.Duration;
import java.util.List;
import tools.jackson.databind.annotation.JsonDeserialize;
import tools.jackson.databind.annotation.JsonPOJOBuilder;

/**
 * How {@link TrainingOptions} reads and writes as the contract's {@code training} object, kept out of the core
 * (which knows no JSON). The contract's names are public; where the core follows the paper the name is mapped
 * here: {@code temperature} is β, {@code ema} the EMA decay, {@code lambda} and {@code initialDropRate} one
 * number or one per gated layer. Field order is fixed: it is part of the canonical form that the database
 * stores and an Idempotency-Key's hash compares.
 */
@JsonDeserialize(builder = TrainingOptions.Builder.class)
@JsonPropertyOrder({"epochs", "batchSize", "learningRate", "lambda", "weightDecay", "temperature",
        "initialDropRate", "ema", "seed", "perExampleGates", "device", "maxRuntime", "target", "roundUnitsTo"})
abstract class TrainingOptionsMixIn {

    @JsonProperty("epochs")
    abstract int epochs();

    @JsonProperty("batchSize")
    abstract int batchSize();

    @JsonProperty("learningRate")
    abstract double learningRate();

    @JsonProperty("lambda")
    @JsonFormat(with = JsonFormat.Feature.WRITE_SINGLE_ELEM_ARRAYS_UNWRAPPED)
    abstract List<Double> lambdas();

    @JsonProperty("weightDecay")
    abstract double weightDecay();

    @JsonProperty("temperature")
    abstract double beta();

    /** Empty (the reference's per-layer rule) is written as no field at all. */
    @JsonProperty("initialDropRate")
    @JsonInclude(JsonInclude.Include.NON_EMPTY)
    @JsonFormat(with = JsonFormat.Feature.WRITE_SINGLE_ELEM_ARRAYS_UNWRAPPED)
    abstract List<Double> initialDropRates();

    @JsonProperty("ema")
    abstract double emaDecay();

    @JsonProperty("seed")
    abstract long seed();

    @JsonProperty("perExampleGates")
    abstract boolean perExampleGates();

    /** Unset: the worker chooses. */
    @JsonProperty("device")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    abstract String device();

    /** A run's reporting cadence, not part of a job. */
    @JsonIgnore
    abstract int progressEverySteps();

    @JsonProperty("maxRuntime")
    abstract Duration maxRuntime();

    /** Unset: no rounding. */
    @JsonProperty("roundUnitsTo")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    abstract Integer roundUnitsTo();

    /** Unset: no size budget. */
    @JsonProperty("target")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    abstract SizeTarget target();

    /**
     * {@link SizeTarget} as the contract's {@code target} object: the fraction under the metric's own name
     * ({@code {"flops": 0.25}}), the controller's settings beside it, every default written out.
     */
    @JsonPropertyOrder({"flops", "parameters", "warmupEpochs", "multiplierLearningRate", "fineTuneEpochs"})
    @JsonIgnoreProperties({"metric", "fraction"})
    abstract static class SizeTargetMixIn {

        @JsonCreator
        static SizeTarget fromFields(@JsonProperty("flops") Double flops, @JsonProperty("parameters") Double parameters,
                @JsonProperty("warmupEpochs") Double warmupEpochs,
                @JsonProperty("multiplierLearningRate") Double multiplierLearningRate,
                @JsonProperty("fineTuneEpochs") Integer fineTuneEpochs) {
            throw new UnsupportedOperationException("a mix-in is never called");
        }

        @JsonProperty("flops")
        @JsonInclude(JsonInclude.Include.NON_NULL)
        abstract Double flops();

        @JsonProperty("parameters")
        @JsonInclude(JsonInclude.Include.NON_NULL)
        abstract Double parameters();

        /** Unset: 30 % of the epochs. */
        @JsonProperty("warmupEpochs")
        @JsonInclude(JsonInclude.Include.NON_NULL)
        abstract Double warmupEpochs();

        @JsonProperty("multiplierLearningRate")
        abstract double multiplierLearningRate();

        /** Set by a sweep for its own points, never by a request. */
        @JsonIgnore
        abstract Double rampStart();

        @JsonProperty("fineTuneEpochs")
        abstract int fineTuneEpochs();
    }

    /** The builder's {@code opt} methods under the contract's names; absent fields keep the paper's defaults. */
    @JsonPOJOBuilder(withPrefix = "opt")
    abstract static class BuilderMixIn {

        @JsonProperty("lambda")
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
        abstract TrainingOptions.Builder optLambdas(List<Double> lambdas);

        @JsonProperty("temperature")
        abstract TrainingOptions.Builder optBeta(double beta);

        @JsonProperty("initialDropRate")
        @JsonFormat(with = JsonFormat.Feature.ACCEPT_SINGLE_VALUE_AS_ARRAY)
        abstract TrainingOptions.Builder optInitialDropRates(List<Double> initialDropRates);

        @JsonProperty("ema")
        abstract TrainingOptions.Builder optEmaDecay(double emaDecay);

        @JsonIgnore
        abstract TrainingOptions.Builder optProgressEverySteps(int progressEverySteps);
    }
}
