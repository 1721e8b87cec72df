package io.l0sparsify.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.l0sparsify.l0.TrainingConfig;
import io.l0sparsify.spec.LayerSpec;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobDefinitionJsonTest {

    private static final JobLimits LIMITS = new JobLimits(null, null, null, null, null, null, null);

    private static JobDefinition parse(String json) {
        return JobDefinitionJson.parse(JobJson.MAPPER.readTree(json), LIMITS);
    }

    @Test
    void omittedTrainingFieldsTakeThePapersDefaults() {
        JobDefinition definition = parse("{\"model\": {\"preset\": \"mlp\"}, \"dataset\": {\"uri\": \"builtin:mnist\"}}");
        TrainingSettings t = definition.training();
        TrainingConfig paper = TrainingConfig.defaults();
        assertThat(t.epochs()).isEqualTo(paper.epochs());
        assertThat(t.batchSize()).isEqualTo(paper.batchSize());
        assertThat(t.learningRate()).isEqualTo(paper.learningRate());
        assertThat(t.lambdas()).isEqualTo(paper.lambdas());
        assertThat(t.temperature()).isEqualTo(paper.beta());
        assertThat(t.ema()).isEqualTo(paper.emaDecay());
        assertThat(t.device()).isNull();
        assertThat(t.maxRuntime()).isEqualTo(Duration.ofHours(24));
        assertThat(definition.preset()).isEqualTo("mlp");
        assertThat(definition.model().gatedLayerIndices()).hasSize(3);
    }

    @Test
    void inlineLayersGetTheirDefaults() {
        JobDefinition definition = parse("{\"model\": {\"inputShape\": [1, 28, 28], \"layers\": ["
                + "{\"type\": \"conv2d\", \"filters\": 4, \"kernel\": 5}, {\"type\": \"maxpool\", \"size\": 2},"
                + "{\"type\": \"flatten\"}, {\"type\": \"dropout\", \"rate\": 0.1},"
                + "{\"type\": \"dense\", \"units\": 10, \"gated\": false}]}, \"dataset\": {\"uri\": \"builtin:mnist\"}}");
        assertThat(definition.model().layers()).containsExactly(new LayerSpec.Conv2d(4, 5, 1, 0, true),
                new LayerSpec.MaxPool(2, 2), new LayerSpec.Flatten(), new LayerSpec.Dropout(0.1),
                new LayerSpec.Dense(10, false));
    }

    @Test
    void canonicalFormReadsBackToTheSameDefinition() {
        JobDefinition definition = parse("{\"name\": \"n\", \"model\": {\"inputShape\": [784], \"layers\": ["
                + "{\"type\": \"dense\", \"units\": 32}, {\"type\": \"relu\"}, {\"type\": \"dense\", \"units\": 10}]},"
                + " \"dataset\": {\"uri\": \"builtin:mnist\"}, \"training\": {\"epochs\": 2, \"lambda\": [0.1, 0.2],"
                + " \"initialDropRate\": 0.3, \"seed\": 9, \"device\": \"cpu\", \"maxRuntime\": \"PT5M\"}}");
        String canonical = JobJson.write(JobDefinitionJson.write(definition));
        assertThat(parse(canonical)).isEqualTo(definition);
        assertThat(JobJson.write(JobDefinitionJson.write(parse(canonical)))).isEqualTo(canonical);
        assertThat(definition.training().lambdas()).isEqualTo(List.of(0.1, 0.2));
    }
}
