package io.l0sparsify.job;

import io.l0sparsify.dataset.Augmentation;
import io.l0sparsify.l0.LearningRateSchedule;
import io.l0sparsify.l0.OptimizerSpec;
import io.l0sparsify.l0.SizeTarget;
import io.l0sparsify.l0.TrainingOptions;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.json.JsonReadFeature;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * The JSON mapper for job documents and for request bodies. Strict about duplicate keys; lets NaN and
 * Infinity through the parser so that validation can name the field ("learningRate must be a finite number
 * but is NaN") instead of failing the whole body as malformed. Binds {@link TrainingOptions} in the contract's
 * names (see {@link TrainingOptionsMixIn}).
 */
public final class JobJson {

    public static final JsonMapper MAPPER = JsonMapper.builder()
            .enable(JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS)
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            // JSON Schema counts 2.0 as an integer; the service never did and still refuses it
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .addMixIn(TrainingOptions.class, TrainingOptionsMixIn.class)
            .addMixIn(TrainingOptions.Builder.class, TrainingOptionsMixIn.BuilderMixIn.class)
            .addMixIn(SizeTarget.class, TrainingOptionsMixIn.SizeTargetMixIn.class)
            .addMixIn(OptimizerSpec.class, TrainingOptionsMixIn.OptimizerSpecMixIn.class)
            .addMixIn(OptimizerSpec.Sgd.class, TrainingOptionsMixIn.SgdMixIn.class)
            .addMixIn(LearningRateSchedule.class, TrainingOptionsMixIn.ScheduleMixIn.class)
            .addMixIn(LearningRateSchedule.Step.class, TrainingOptionsMixIn.StepMixIn.class)
            .addMixIn(Augmentation.class, TrainingOptionsMixIn.AugmentationMixIn.class)
            .build();

    private JobJson() {}

    static JobDefinition readDefinition(String json) {
        return JobDefinitionJson.read(json);
    }

    static JobProgress readProgress(String json) {
        return MAPPER.readValue(json, JobProgress.class);
    }

    static String write(Object value) {
        return MAPPER.writeValueAsString(value);
    }

    static String sha256(String text) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is part of every Java runtime", e);
        }
    }
}
