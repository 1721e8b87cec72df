package io.l0sparsify.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.l0sparsify.dataset.Preprocessing;
import io.l0sparsify.spec.Presets;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Jobs that fine-tune an uploaded model, as submission checks and stores them. */
class UploadedModelJobTest {

    private static final JobLimits LIMITS = new JobLimits(null, null, null, null, null, null, null, null);
    private static final String KNOWN = "model:7c1e2d9a-4b5f-4e8a-9c3d-1f2e3a4b5c6d";
    /** One uploaded model, which imports as LeNet-5-Caffe; another that cannot be fine-tuned. */
    private static final UploadedModels MODELS = (uri, limits) -> {
        if (uri.equals("model:0b5f6f1e")) {
            throw new IllegalArgumentException("node 'conv': kernel [3, 1] is not the same for height and width");
        }
        return uri.equals(KNOWN) ? Optional.of(Presets.LENET5_CAFFE) : Optional.empty();
    };

    private static JobDefinition parse(String json) {
        return JobDefinitionJson.parse(JobJson.MAPPER.readTree(json), LIMITS, MODELS);
    }

    private static List<FieldError> errors(String json) {
        return catchThrowableOfType(JobValidationException.class, () -> parse(json)).errors();
    }

    @Test
    void theUploadImportsAsItsNetworkWithFineTuningDefaultsAndTheStoredFormReadsBackTheSame() {
        JobDefinition definition = parse("""
                {"model": {"uri": "%s", "preprocessing": {"scale": 0.00392156862745098, "mean": [0.1307],
                 "std": [0.3081]}}, "dataset": {"uri": "builtin:mnist"}}""".formatted(KNOWN));
        assertThat(definition.model()).isEqualTo(Presets.LENET5_CAFFE);
        assertThat(definition.preset()).isNull();
        assertThat(definition.upload()).isEqualTo(new UploadedModelRef(KNOWN,
                new Preprocessing(0.00392156862745098, List.of(0.1307), List.of(0.3081))));
        assertThat(definition.training().initialDropRates()).containsExactly(JobRules.FINE_TUNING_DROP_RATE);
        assertThat(definition.training().epochs()).isEqualTo(JobRules.FINE_TUNING_EPOCHS);
        String canonical = JobJson.write(JobDefinitionJson.write(definition));
        assertThat(JobJson.readDefinition(canonical)).isEqualTo(definition);
        assertThat(canonical).contains("\"uri\":\"" + KNOWN + "\"").contains("\"layers\":[");
    }

    @Test
    void givenOptionsWinOverTheFineTuningDefaults() {
        JobDefinition definition = parse("""
                {"model": {"uri": "%s"}, "dataset": {"uri": "builtin:mnist"},
                 "training": {"initialDropRate": 0.5, "epochs": 3}}""".formatted(KNOWN));
        assertThat(definition.training().initialDropRates()).containsExactly(0.5);
        assertThat(definition.training().epochs()).isEqualTo(3);
        assertThat(definition.upload().preprocessing()).isNull();
        // a model from scratch keeps the ordinary defaults
        JobDefinition scratch = parse("{\"model\": {\"preset\": \"lenet5-caffe\"}, \"dataset\": {\"uri\": \"builtin:mnist\"}}");
        assertThat(scratch.training().initialDropRates()).isEmpty();
        assertThat(scratch.upload()).isNull();
    }

    @Test
    void badReferencesAndPreprocessingAreRefusedAtTheirField() {
        assertThat(errors("{\"model\": {\"uri\": \"model:1234\"}, \"dataset\": {\"uri\": \"builtin:mnist\"}}"))
                .singleElement().satisfies(e -> {
                    assertThat(e.field()).isEqualTo("model.uri");
                    assertThat(e.message()).contains("names no uploaded model");
                });
        assertThat(errors("{\"model\": {\"uri\": \"model:0b5f6f1e\"}, \"dataset\": {\"uri\": \"builtin:mnist\"}}"))
                .singleElement().satisfies(e -> {
                    assertThat(e.field()).isEqualTo("model.uri");
                    assertThat(e.message()).contains("cannot be fine-tuned").contains("node 'conv'");
                });
        assertThat(errors("""
                {"model": {"uri": "%s", "preprocessing": {"mean": [0.1, 0.2], "std": [1]}},
                 "dataset": {"uri": "builtin:mnist"}}""".formatted(KNOWN)))
                .extracting(FieldError::field).containsExactly("model.preprocessing.std");
        // LeNet takes one channel: three means fit no channel count
        assertThat(errors("""
                {"model": {"uri": "%s", "preprocessing": {"mean": [0.1, 0.2, 0.3], "std": [1, 1, 1]}},
                 "dataset": {"uri": "builtin:mnist"}}""".formatted(KNOWN)))
                .extracting(FieldError::field).containsExactly("model.preprocessing.mean");
        // the contract's own checks: no mix with an inline model, a positive scale, a model: URI
        assertThat(errors("""
                {"model": {"uri": "%s", "layers": []}, "dataset": {"uri": "builtin:mnist"}}""".formatted(KNOWN)))
                .isNotEmpty();
        assertThat(errors("""
                {"model": {"uri": "%s", "preprocessing": {"scale": 0}}, "dataset": {"uri": "builtin:mnist"}}"""
                .formatted(KNOWN))).extracting(FieldError::field).anyMatch(f -> f.startsWith("model"));
        assertThat(errors("{\"model\": {\"uri\": \"dataset:abc\"}, \"dataset\": {\"uri\": \"builtin:mnist\"}}"))
                .extracting(FieldError::field).anyMatch(f -> f.startsWith("model"));
    }

    @Test
    void withoutUploadedModelsEveryReferenceNamesNone() {
        assertThat(catchThrowableOfType(JobValidationException.class, () -> JobDefinitionJson.parse(
                JobJson.MAPPER.readTree("{\"model\": {\"uri\": \"" + KNOWN + "\"}, \"dataset\": {\"uri\": \"builtin:mnist\"}}"),
                LIMITS)).errors()).extracting(FieldError::field).containsExactly("model.uri");
    }
}
