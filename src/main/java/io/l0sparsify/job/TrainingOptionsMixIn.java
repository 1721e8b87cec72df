package io.l0sparsify.job;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonFormat;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import io.l0sparsify.dataset.Augmentation;
import io.l0sparsify.l0.LearningRateSchedule;
import io.l0sparsify.l0.OptimizerSpec;
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
 * stores and an Idempotency-Key's hash compares. The optimizer, the schedule and the augmentation are written only
 * when they differ from the defaults (Adam, constant, none), so the canonical form of every job stored before they
 * existed is unchanged.
 */
@JsonDeserialize(builder = TrainingOptions.Builder.class)
@JsonPropertyOrder({"epochs", "batchSize", "learningRate", "lambda", "weightDecay", "temperature",
        "initialDropRate", "ema", "seed", "perExampleGates", "device", "maxRuntime", "target", "roundUnitsTo",
        "optimizer", "schedule", "augmentation"})
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

    /** Adam, the default, is written as no field at all. */
    @JsonProperty("optimizer")
    @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = IsAdam.class)
    abstract OptimizerSpec optimizer();

    /** The constant schedule, the default, is written as no field at all. */
    @JsonProperty("schedule")
    @JsonInclude(value = JsonInclude.Include.CUSTOM, valueFilter = IsConstant.class)
    abstract LearningRateSchedule schedule();

    /** Unset: no augmentation. */
    @JsonProperty("augmentation")
    @JsonInclude(JsonInclude.Include.NON_NULL)
    abstract Augmentation augmentation();

    /** Jackson's CUSTOM inclusion leaves a value out when its filter {@code equals} it. */
    static final class IsAdam {
        @Override
        public boolean equals(Object value) {
            return value instanceof OptimizerSpec.Adam;
        }

        @Override
        public int hashCode() {
            return IsAdam.class.hashCode();
        }
    }

    static final class IsConstant {
        @Override
        public boolean equals(Object value) {
            return value instanceof LearningRateSchedule.Constant;
        }

        @Override
        public int hashCode() {
            return IsConstant.class.hashCode();
        }
    }

    /** {@link OptimizerSpec} as the contract's {@code optimizer}: an object whose {@code type} names its kind. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
    @JsonSubTypes({
            @JsonSubTypes.Type(value = OptimizerSpec.Adam.class, name = "adam"),
            @JsonSubTypes.Type(value = OptimizerSpec.Sgd.class, name = "sgd")})
    abstract static class OptimizerSpecMixIn {}

    /** {@link OptimizerSpec.Sgd} with the paper's values for absent members. */
    abstract static class SgdMixIn {

        @JsonCreator
        static OptimizerSpec.Sgd fromFields(@JsonProperty("momentum") Double momentum,
                @JsonProperty("nesterov") Boolean nesterov) {
            throw new UnsupportedOperationException("a mix-in is never called");
        }
    }

    /** {@link LearningRateSchedule} as the contract's {@code schedule}: an object whose {@code type} names its kind. */
    @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "type")
    @JsonSubTypes({
            @JsonSubTypes.Type(value = LearningRateSchedule.Constant.class, name = "constant"),
            @JsonSubTypes.Type(value = LearningRateSchedule.Step.class, name = "step"),
            @JsonSubTypes.Type(value = LearningRateSchedule.Cosine.class, name = "cosine")})
    abstract static class ScheduleMixIn {}

    /** {@link LearningRateSchedule.Step} with the paper's milestones and factor for absent members. */
    abstract static class StepMixIn {

        @JsonCreator
        static LearningRateSchedule.Step fromFields(@JsonProperty("milestones") List<Double> milestones,
                @JsonProperty("factor") Double factor) {
            throw new UnsupportedOperationException("a mix-in is never called");
        }
    }

    /** {@link Augmentation} with the paper's values for absent members. */
    @JsonPropertyOrder({"padding", "flip"})
    abstract static class AugmentationMixIn {

        @JsonCreator
        static Augmentation fromFields(@JsonProperty("padding") Integer padding, @JsonProperty("flip") Boolean flip) {
            throw new UnsupportedOperationException("a mix-in is never called");
        }
    }

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
