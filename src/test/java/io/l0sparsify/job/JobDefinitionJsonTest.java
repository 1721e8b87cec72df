package io.l0sparsify.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import io.l0sparsify.dataset.DatasetFormat;
import io.l0sparsify.dataset.DatasetRef;
import io.l0sparsify.dataset.Augmentation;
import io.l0sparsify.l0.LearningRateSchedule;
import io.l0sparsify.l0.OptimizerSpec;
import io.l0sparsify.l0.TrainingOptions;
import io.l0sparsify.spec.LayerSpec;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class JobDefinitionJsonTest {

    private static final JobLimits LIMITS = new JobLimits(null, null, null, null, null, null, null, null);

    private static JobDefinition parse(String json) {
        return JobDefinitionJson.parse(JobJson.MAPPER.readTree(json), LIMITS);
    }

    private static List<FieldError> errors(String json) {
        return catchThrowableOfType(JobValidationException.class, () -> parse(json)).errors();
    }

    private static String canonical(JobDefinition definition) {
        return JobJson.write(JobDefinitionJson.write(definition));
    }

    @Test
    void everyPresetAtTheLargestBatchFitsTheDefaultStepMemory() {
        // LeNet-5-Caffe holds 35 714 values per example: 8192 · 35 714 · 8 bytes = 2.2 GiB of the default 4 GiB
        for (String preset : List.of("mlp", "lenet5-caffe")) {
            JobDefinition definition = parse("{\"model\": {\"preset\": \"" + preset + "\"}, \"dataset\": {\"uri\":"
                    + " \"builtin:mnist\"}, \"training\": {\"batchSize\": 8192}}");
            assertThat(definition.training().batchSize()).isEqualTo(8192);
        }
    }

    @Test
    void omittedTrainingFieldsTakeThePapersDefaults() {
        JobDefinition definition = parse("{\"model\": {\"preset\": \"mlp\"}, \"dataset\": {\"uri\": \"builtin:mnist\"}}");
        TrainingOptions t = definition.training();
        TrainingOptions paper = TrainingOptions.defaults();
        assertThat(t.epochs()).isEqualTo(paper.epochs());
        assertThat(t.batchSize()).isEqualTo(paper.batchSize());
        assertThat(t.learningRate()).isEqualTo(paper.learningRate());
        assertThat(t.lambdas()).isEqualTo(paper.lambdas());
        assertThat(t.beta()).isEqualTo(paper.beta());
        assertThat(t.emaDecay()).isEqualTo(paper.emaDecay());
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
        String canonical = canonical(definition);
        assertThat(parse(canonical)).isEqualTo(definition);
        assertThat(JobJson.readDefinition(canonical)).isEqualTo(definition);
        assertThat(canonical(parse(canonical))).isEqualTo(canonical);
        assertThat(definition.training().lambdas()).isEqualTo(List.of(0.1, 0.2));
    }

    @Test
    void aTargetBindsWithItsDefaultsAndReadsBack() {
        JobDefinition definition = parse("{\"model\": {\"preset\": \"mlp\"}, \"dataset\": {\"uri\": \"builtin:mnist\"},"
                + " \"training\": {\"epochs\": 10, \"target\": {\"flops\": 0.25}}}");
        assertThat(definition.training().target())
                .isEqualTo(io.l0sparsify.l0.SizeTarget.of(io.l0sparsify.l0.SizeTarget.Metric.FLOPS, 0.25));
        // without a λ of its own a run with a target has none: the controller alone decides the size
        assertThat(definition.training().lambdas()).containsExactly(0.0);
        String canonical = canonical(definition);
        assertThat(canonical).contains("\"target\":{\"flops\":0.25,\"multiplierLearningRate\":0.2,\"fineTuneEpochs\":1}");
        assertThat(parse(canonical)).isEqualTo(definition);
        assertThat(JobJson.readDefinition(canonical)).isEqualTo(definition);

        JobDefinition both = parse("{\"model\": {\"preset\": \"mlp\"}, \"dataset\": {\"uri\": \"builtin:mnist\"},"
                + " \"training\": {\"lambda\": 0.05, \"target\": {\"parameters\": 0.1, \"warmupEpochs\": 3,"
                + " \"fineTuneEpochs\": 0}}}");
        assertThat(both.training().lambdas()).containsExactly(0.05);
        assertThat(both.training().target().warmupEpochs()).isEqualTo(3.0);
        assertThat(both.training().target().metric()).isEqualTo(io.l0sparsify.l0.SizeTarget.Metric.PARAMETERS);
        assertThat(JobJson.readDefinition(canonical(both))).isEqualTo(both);
    }

    /** The documents below are what the service stored before requests were bound by Jackson; rows hold them. */
    @Test
    void canonicalFormIsTheDocumentTheDatabaseHolds() {
        String preset = "{\"model\":{\"preset\":\"mlp\"},\"dataset\":{\"uri\":\"builtin:mnist\"},\"training\":{"
                + "\"epochs\":200,\"batchSize\":100,\"learningRate\":0.001,\"lambda\":0.1,\"weightDecay\":0.0,"
                + "\"temperature\":0.6666666666666666,\"ema\":0.999,\"seed\":1,\"perExampleGates\":false,"
                + "\"maxRuntime\":\"PT24H\"}}";
        String inline = "{\"name\":\"n\",\"model\":{\"inputShape\":[1,28,28],\"layers\":[{\"type\":\"conv2d\","
                + "\"filters\":4,\"kernel\":5,\"stride\":1,\"padding\":0,\"gated\":true},{\"type\":\"relu\"},"
                + "{\"type\":\"maxpool\",\"size\":2,\"stride\":2},{\"type\":\"flatten\"},{\"type\":\"dropout\","
                + "\"rate\":0.1},{\"type\":\"dense\",\"units\":10,\"gated\":false},{\"type\":\"dense\",\"units\":10,"
                + "\"gated\":true}]},\"dataset\":{\"uri\":\"builtin:mnist\"},\"training\":{\"epochs\":2,"
                + "\"batchSize\":64,\"learningRate\":0.01,\"lambda\":[0.1,0.2],\"weightDecay\":5.0E-4,"
                + "\"temperature\":0.5,\"initialDropRate\":0.3,\"ema\":0.0,\"seed\":9,\"perExampleGates\":true,"
                + "\"device\":\"cpu\",\"maxRuntime\":\"PT5M\"}}";
        assertThat(canonical(parse("{\"model\": {\"preset\": \"mlp\"}, \"dataset\": {\"uri\": \"builtin:mnist\"}}")))
                .isEqualTo(preset);
        assertThat(canonical(parse("{\"name\": \"n\", \"model\": {\"inputShape\": [1, 28, 28], \"layers\": ["
                + "{\"type\": \"conv2d\", \"filters\": 4, \"kernel\": 5}, {\"type\": \"relu\"},"
                + " {\"type\": \"maxpool\", \"size\": 2}, {\"type\": \"flatten\"}, {\"type\": \"dropout\", \"rate\": 0.1},"
                + " {\"type\": \"dense\", \"units\": 10, \"gated\": false}, {\"type\": \"dense\", \"units\": 10}]},"
                + " \"dataset\": {\"uri\": \"builtin:mnist\"}, \"training\": {\"epochs\": 2, \"lambda\": [0.1, 0.2],"
                + " \"initialDropRate\": 0.3, \"seed\": 9, \"device\": \"cpu\", \"maxRuntime\": \"PT5M\","
                + " \"weightDecay\": 0.0005, \"temperature\": 0.5, \"ema\": 0, \"perExampleGates\": true,"
                + " \"learningRate\": 0.01, \"batchSize\": 64}}"))).isEqualTo(inline);
        assertThat(canonical(JobJson.readDefinition(preset))).isEqualTo(preset);
        assertThat(canonical(JobJson.readDefinition(inline))).isEqualTo(inline);
    }

    @Test
    void aDatasetReferenceWithEveryOptionReadsBackTheSame() {
        String sha = "0123456789abcdef".repeat(4);
        JobDefinition definition = parse("{\"model\": {\"preset\": \"mlp\"}, \"dataset\": {\"uri\":"
                + " \"s3://bucket/sets/t.csv\", \"sha256\": \"" + sha + "\", \"format\": {\"format\": \"csv\","
                + " \"labelColumn\": \"species\"}, \"testFraction\": 0.25, \"standardize\": true}}");

        assertThat(definition.dataset()).isEqualTo(new DatasetRef("s3://bucket/sets/t.csv", sha,
                new DatasetFormat.Csv("species"), 0.25, true));
        String canonical = canonical(definition);
        assertThat(canonical).contains("\"dataset\":{\"uri\":\"s3://bucket/sets/t.csv\",\"sha256\":\"" + sha
                + "\",\"format\":{\"format\":\"csv\",\"labelColumn\":\"species\"},\"testFraction\":0.25,"
                + "\"standardize\":true}");
        assertThat(JobJson.readDefinition(canonical)).isEqualTo(definition);
        assertThat(parse(canonical)).isEqualTo(definition);
        assertThat(canonical(parse(canonical))).isEqualTo(canonical);
    }

    @Test
    void aDefinitionStoredWithTheUriAloneReadsAsAReferenceWithDefaults() {
        String stored = "{\"model\":{\"preset\":\"mlp\"},\"dataset\":{\"uri\":\"file:/srv/d\"},\"training\":{"
                + "\"epochs\":2,\"batchSize\":100,\"learningRate\":0.001,\"lambda\":0.1,\"weightDecay\":0.0,"
                + "\"temperature\":0.6666666666666666,\"ema\":0.999,\"seed\":1,\"perExampleGates\":false,"
                + "\"maxRuntime\":\"PT1H\"}}";
        JobDefinition definition = JobJson.readDefinition(stored);
        assertThat(definition.dataset()).isEqualTo(DatasetRef.of("file:/srv/d"));
        assertThat(definition.dataset().standardize()).isFalse();
        assertThat(canonical(definition)).isEqualTo(stored);
    }

    @Test
    void datasetOptionsOutsideTheirRangesAreNamed() {
        assertThat(errors("{\"model\": {\"preset\": \"mlp\"}, \"dataset\": {\"uri\": \"dataset:x\","
                + " \"testFraction\": 1, \"sha256\": \"ABC\", \"format\": {\"format\": \"csv\"}}}"))
                .extracting(FieldError::field).containsExactlyInAnyOrder("dataset.testFraction", "dataset.sha256",
                        "dataset.format.labelColumn");
        assertThat(errors("{\"model\": {\"preset\": \"mlp\"}, \"dataset\": {\"uri\":"
                + " \"https://h.example/a.npz\"}}")).containsExactly(new FieldError("dataset.sha256",
                        "is required for an https: dataset: the worker checks the downloaded file against it"));
    }

    @Test
    void storedDefinitionIsBoundWithoutTheLimitsOfToday() {
        // stored when the service allowed 5000 epochs and a 48-hour budget; the limits are lower now
        String stored = "{\"model\":{\"preset\":\"mlp\"},\"dataset\":{\"uri\":\"builtin:mnist\"},\"training\":{"
                + "\"epochs\":5000,\"batchSize\":100,\"learningRate\":0.001,\"lambda\":0.1,\"weightDecay\":0.0,"
                + "\"temperature\":0.6666666666666666,\"ema\":0.999,\"seed\":1,\"perExampleGates\":false,"
                + "\"maxRuntime\":\"PT48H\"}}";
        JobDefinition definition = JobJson.readDefinition(stored);
        assertThat(definition.training().epochs()).isEqualTo(5000);
        assertThat(definition.training().maxRuntime()).isEqualTo(Duration.ofHours(48));
    }

    @Test
    void nullMembersAreAbsent() {
        JobDefinition definition = parse("{\"name\": null, \"model\": {\"preset\": \"mlp\"},"
                + " \"dataset\": {\"uri\": \"builtin:mnist\"}, \"training\": {\"device\": null, \"epochs\": null}}");
        assertThat(definition.name()).isNull();
        assertThat(definition.training().device()).isNull();
        assertThat(definition.training().epochs()).isEqualTo(TrainingOptions.DEFAULT_EPOCHS);
    }

    @Test
    void aModelWithLayersButNoInputShapeNamesTheInputShape() {
        assertThat(errors("{\"model\": {\"layers\": [{\"type\": \"dense\", \"units\": 10}]},"
                + " \"dataset\": {\"uri\": \"builtin:mnist\"}}"))
                .containsExactly(new FieldError("model.inputShape", "is required"));
    }

    @Test
    void anEmptyModelNamesEveryAlternative() {
        assertThat(errors("{\"model\": {}, \"dataset\": {\"uri\": \"builtin:mnist\"}}"))
                .containsExactly(new FieldError("model", "give either preset, or inputShape and layers, or uri"));
    }

    @Test
    void lambdaOfTheWrongKindNamesBothForms() {
        assertThat(errors("{\"model\": {\"preset\": \"mlp\"}, \"dataset\": {\"uri\": \"builtin:mnist\"},"
                + " \"training\": {\"lambda\": \"high\"}}"))
                .containsExactly(new FieldError("training.lambda", "must be a number or a list"));
    }

    @Test
    void infinityIsNamedOnceAtItsField() {
        assertThat(errors("{\"model\": {\"preset\": \"mlp\"}, \"dataset\": {\"uri\": \"builtin:mnist\"},"
                + " \"training\": {\"weightDecay\": -Infinity, \"learningRate\": Infinity}}"))
                .containsExactlyInAnyOrder(
                        new FieldError("training.weightDecay", "must be a finite number but is -Infinity"),
                        new FieldError("training.learningRate", "must be a finite number but is Infinity"));
    }

    @Test
    void aDeviceTheCoreRefusesIsNamed() {
        assertThat(errors("{\"model\": {\"preset\": \"mlp\"}, \"dataset\": {\"uri\": \"builtin:mnist\"},"
                + " \"training\": {\"device\": \"gpu:1,1\"}}"))
                .containsExactly(new FieldError("training.device", "gpu:1,1 names a GPU twice"));
    }

    @Test
    void limitsAndTheNetworkAreCheckedTogether() {
        assertThat(errors("{\"model\": {\"preset\": \"mlp\"}, \"dataset\": {\"uri\": \"builtin:mnist\"},"
                + " \"training\": {\"epochs\": 1001, \"batchSize\": 9000, \"maxRuntime\": \"P2D\","
                + " \"initialDropRate\": [0.5, 0.5]}}"))
                .extracting(FieldError::field).containsExactlyInAnyOrder("training.epochs", "training.batchSize",
                        "training.maxRuntime", "training.initialDropRate");
    }

    @Test
    void unknownFieldsAreNamedWithWhatIsAllowedThere() {
        assertThat(errors("{\"model\": {\"inputShape\": [784], \"layers\": [{\"type\": \"dense\", \"units\": 10,"
                + " \"kernel\": 3}]}, \"dataset\": {\"uri\": \"builtin:mnist\", \"mirror\": \"idx\"}}"))
                .containsExactlyInAnyOrder(
                        new FieldError("model.layers[0].kernel", "unknown field; allowed here: gated, type, units"),
                        new FieldError("dataset.mirror",
                                "unknown field; allowed here: format, sha256, standardize, testFraction, uri"));
    }

    @Test
    void anUnknownLayerTypeListsTheKnownOnes() {
        assertThat(errors("{\"model\": {\"inputShape\": [784], \"layers\": [{\"type\": \"lstm\", \"units\": 10}]},"
                + " \"dataset\": {\"uri\": \"builtin:mnist\"}}"))
                .containsExactly(new FieldError("model.layers[0].type",
                        "unknown type 'lstm'; known types: dense, conv2d, maxpool, avgpool, relu, flatten, dropout, batchnorm, globalavgpool, residual"));
    }

    @Test
    void eachBadLayerIsNamedOnItsOwnWhenSeveralAreBad() {
        // every layer's oneOf has the same schema path; their alternatives must not mix
        assertThat(errors("{\"model\": {\"inputShape\": [784], \"layers\": [{\"type\": \"dense\", \"units\": 0},"
                + " {\"type\": \"conv9\"}, {\"type\": \"maxpool\"}, {\"type\": \"dense\", \"units\": 10}]},"
                + " \"dataset\": {\"uri\": \"builtin:mnist\"}}"))
                .containsExactlyInAnyOrder(
                        new FieldError("model.layers[0].units", "must be at least 1 but is 0"),
                        new FieldError("model.layers[1].type",
                                "unknown type 'conv9'; known types: dense, conv2d, maxpool, avgpool, relu, flatten, dropout, batchnorm, globalavgpool, residual"),
                        new FieldError("model.layers[2].size", "is required"));
    }

    @Test
    void runtimeBudgetsAreReadAsJavaReadsDurations() {
        String job = "{\"model\": {\"preset\": \"mlp\"}, \"dataset\": {\"uri\": \"builtin:mnist\"},"
                + " \"training\": {\"maxRuntime\": \"%s\"}}";
        assertThat(parse(job.formatted("PT0.5S")).training().maxRuntime()).isEqualTo(Duration.ofMillis(500));
        assertThat(parse(job.formatted("+PT30M")).training().maxRuntime()).isEqualTo(Duration.ofMinutes(30));
        assertThat(parse(job.formatted("P0DT2H")).training().maxRuntime()).isEqualTo(Duration.ofHours(2));
        // weeks and months have no fixed length: refused in words, never with a parser's message
        assertThat(errors(job.formatted("P1W"))).containsExactly(new FieldError("training.maxRuntime",
                "must be an ISO-8601 duration such as PT30M but is 'P1W'"));
        assertThat(errors(job.formatted("P1M"))).singleElement()
                .satisfies(e -> assertThat(e.message()).startsWith("must be an ISO-8601 duration"));
    }

    @Test
    void aTextWithTheWrongSyntaxIsToldWhatIsAllowed() {
        assertThat(errors("{\"model\": {\"preset\": \"mlp\"}, \"dataset\": {\"uri\": \"ftp://bucket/x\"},"
                + " \"training\": {\"device\": \"tpu\"}}")).containsExactlyInAnyOrder(
                        new FieldError("dataset.uri", "must be builtin:NAME, file:/absolute/path,"
                                + " dataset:ID, s3://bucket/key or https://host/path but is 'ftp://bucket/x'"),
                        new FieldError("training.device",
                                "must be auto, cpu, gpu, gpu:N, a list gpu:N,M or gpu:all but is 'tpu'"));
    }

    @Test
    void wholeNumbersWrittenAsFractionsAreNoIntegers() {
        assertThat(errors("{\"model\": {\"inputShape\": [784], \"layers\": [{\"type\": \"dense\", \"units\": 10.0}]},"
                + " \"dataset\": {\"uri\": \"builtin:mnist\"}}"))
                .containsExactly(new FieldError("model.layers[0].units", "must be an integer"));
        assertThat(errors("{\"model\": {\"preset\": \"mlp\"}, \"dataset\": {\"uri\": \"builtin:mnist\"},"
                + " \"training\": {\"epochs\": 2.0}}"))
                .containsExactly(new FieldError("training.epochs", "must be an integer"));
    }

    @Test
    void integersBeyondTheirJavaRangeAreNamed() {
        assertThat(errors("{\"model\": {\"inputShape\": [784], \"layers\": [{\"type\": \"dense\","
                + " \"units\": 3000000000}]}, \"dataset\": {\"uri\": \"builtin:mnist\"}}"))
                .containsExactly(new FieldError("model.layers[0].units", "must be between -2147483648 and 2147483647"));
    }

    @Test
    void thePapersWrnRecipeBindsWithItsDefaultsAndReadsBackTheSame() {
        JobDefinition definition = parse("{\"model\": {\"preset\": \"lenet5-caffe\"}, \"dataset\": {\"uri\":"
                + " \"builtin:mnist\"}, \"training\": {\"optimizer\": {\"type\": \"sgd\"}, \"schedule\":"
                + " {\"type\": \"step\"}, \"augmentation\": {}, \"ema\": 0.99, \"batchSize\": 128}}");
        TrainingOptions t = definition.training();
        assertThat(t.optimizer()).isEqualTo(new OptimizerSpec.Sgd(0.9, true));
        assertThat(t.learningRate()).as("SGD's default rate").isEqualTo(0.1);
        assertThat(t.schedule()).isEqualTo(new LearningRateSchedule.Step(List.of(0.3, 0.6, 0.8), 0.2));
        assertThat(t.augmentation()).isEqualTo(new Augmentation(4, true));
        String canonical = canonical(definition);
        // every default written out, the new members after the old ones
        assertThat(canonical).endsWith("\"maxRuntime\":\"PT24H\",\"optimizer\":{\"type\":\"sgd\",\"momentum\":0.9,"
                + "\"nesterov\":true},\"schedule\":{\"type\":\"step\",\"milestones\":[0.3,0.6,0.8],\"factor\":0.2},"
                + "\"augmentation\":{\"padding\":4,\"flip\":true}}}");
        assertThat(canonical).contains("\"learningRate\":0.1,");
        assertThat(JobJson.readDefinition(canonical)).isEqualTo(definition);
        assertThat(canonical(parse(canonical))).isEqualTo(canonical);
    }

    @Test
    void adamAndAConstantRateAreLeftOutOfTheCanonicalFormAndCosineIsKept() {
        JobDefinition explicit = parse("{\"model\": {\"preset\": \"mlp\"}, \"dataset\": {\"uri\":"
                + " \"builtin:mnist\"}, \"training\": {\"optimizer\": {\"type\": \"adam\"}, \"schedule\":"
                + " {\"type\": \"constant\"}}}");
        assertThat(canonical(explicit)).isEqualTo(canonical(parse("{\"model\": {\"preset\": \"mlp\"},"
                + " \"dataset\": {\"uri\": \"builtin:mnist\"}}"))).doesNotContain("optimizer", "schedule");
        JobDefinition cosine = parse("{\"model\": {\"preset\": \"mlp\"}, \"dataset\": {\"uri\":"
                + " \"builtin:mnist\"}, \"training\": {\"optimizer\": {\"type\": \"sgd\", \"nesterov\": false,"
                + " \"momentum\": 0}, \"schedule\": {\"type\": \"cosine\"}, \"learningRate\": 0.05}}");
        assertThat(cosine.training().optimizer()).isEqualTo(new OptimizerSpec.Sgd(0, false));
        assertThat(canonical(cosine)).contains("\"optimizer\":{\"type\":\"sgd\",\"momentum\":0.0,\"nesterov\":false},"
                + "\"schedule\":{\"type\":\"cosine\"}");
        assertThat(JobJson.readDefinition(canonical(cosine))).isEqualTo(cosine);
    }

    @Test
    void optimizerScheduleAndAugmentationErrorsNameTheirFields() {
        String job = "{\"model\": {\"preset\": \"%s\"}, \"dataset\": {\"uri\": \"builtin:mnist\"},"
                + " \"training\": %s}";
        assertThat(errors(job.formatted("mlp", "{\"optimizer\": {\"type\": \"rmsprop\"}}")))
                .extracting(FieldError::field).containsExactly("training.optimizer.type");
        assertThat(errors(job.formatted("mlp", "{\"optimizer\": {\"type\": \"sgd\", \"momentum\": 0}}")))
                .containsExactly(new FieldError("training.optimizer.nesterov", "Nesterov momentum needs a positive"
                        + " momentum; give optimizer.momentum or set nesterov to false"));
        assertThat(errors(job.formatted("mlp", "{\"schedule\": {\"type\": \"step\", \"milestones\": [0.5, 0.4]}}")))
                .extracting(FieldError::field).containsExactly("training.schedule.milestones[1]");
        assertThat(errors(job.formatted("mlp", "{\"augmentation\": {\"padding\": 2}}")))
                .containsExactly(new FieldError("training.augmentation", "applies to images [C, H, W]; the model's"
                        + " input [784] is a feature vector"));
        assertThat(errors(job.formatted("lenet5-caffe", "{\"augmentation\": {\"padding\": 0, \"flip\": false}}")))
                .extracting(FieldError::field).containsExactly("training.augmentation");
    }
}
