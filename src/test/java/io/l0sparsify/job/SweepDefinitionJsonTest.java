package io.l0sparsify.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.l0sparsify.l0.SizeTarget;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A sweep request binds into its plan (targets in run order), keeps its own λ rule and reads back unchanged. */
class SweepDefinitionJsonTest {

    private static final JobLimits LIMITS = new JobLimits(null, null, null, null, null, null, null, null);

    private static JobDefinition parse(String members) {
        return JobDefinitionJson.parse(JobJson.MAPPER.readTree("{\"model\": {\"preset\": \"mlp\"}, \"dataset\":"
                + " {\"uri\": \"builtin:mnist\"}" + members + "}"), LIMITS);
    }

    @Test
    void targetsRunDensestFirstAndTheRuleIsKept() {
        JobDefinition definition = parse(", \"sweep\": {\"metric\": \"parameters\", \"targets\": [0.1, 0.5, 0.25]},"
                + " \"select\": {\"maxErrorIncrease\": 0.005}");
        SweepPlan plan = definition.sweep();
        assertThat(plan.metric()).isEqualTo(SizeTarget.Metric.PARAMETERS);
        assertThat(plan.targets()).containsExactly(0.5, 0.25, 0.1);
        assertThat(plan.maxErrorIncrease()).isEqualTo(0.005);
        assertThat(plan.target(1)).isEqualTo(SizeTarget.of(SizeTarget.Metric.PARAMETERS, 0.25).withRampStart(0.5));
        assertThat(definition.training().target()).isNull();
    }

    @Test
    void withoutLambdaThePointsTrainWithLambdaZeroAsATargetRunDoes() {
        JobDefinition without = parse(", \"sweep\": {\"metric\": \"flops\", \"targets\": [0.5]}");
        assertThat(without.training().lambdas()).containsExactly(0.0);
        JobDefinition with = parse(", \"training\": {\"lambda\": 0.2}, \"sweep\": {\"metric\": \"flops\","
                + " \"targets\": [0.5]}");
        assertThat(with.training().lambdas()).containsExactly(0.2);
        assertThat(parse("").training().lambdas()).as("no sweep: the paper's default").containsExactly(0.1);
    }

    @Test
    void theCanonicalFormReadsBackToTheSameDefinition() {
        JobDefinition definition = parse(", \"sweep\": {\"metric\": \"flops\", \"targets\": [0.25, 0.5]},"
                + " \"select\": {\"maxErrorIncrease\": 0.01}");
        String canonical = JobJson.write(JobDefinitionJson.write(definition));
        assertThat(canonical).contains("\"sweep\":{\"metric\":\"flops\",\"targets\":[0.5,0.25]}",
                "\"select\":{\"maxErrorIncrease\":0.01}");
        JobDefinition read = JobDefinitionJson.read(canonical);
        assertThat(read.sweep()).isEqualTo(definition.sweep());
        assertThat(read.training()).isEqualTo(definition.training());
        assertThat(JobJson.write(JobDefinitionJson.write(read))).isEqualTo(canonical);
    }

    @Test
    void aJobWithoutASweepStoresNone() {
        JobDefinition definition = parse("");
        assertThat(definition.sweep()).isNull();
        assertThat(JobJson.write(JobDefinitionJson.write(definition))).doesNotContain("sweep", "select");
    }

    @Test
    void aSweepPointAfterTheFirstRampsFromThePreviousPointsBudget() {
        var plan = new SweepPlan(SizeTarget.Metric.PARAMETERS, List.of(0.5, 0.25, 0.1), null);
        assertThat(plan.target(0).rampStart()).isNull();
        assertThat(plan.target(1).rampStart()).isEqualTo(0.5);
        assertThat(plan.target(2).rampStart()).isEqualTo(0.25);
        assertThat(plan.target(2).fraction()).isEqualTo(0.1);
    }
}
