package io.l0sparsify.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.ArgumentMatchers.anyInt;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.mockito.Mockito.when;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.put;

import com.jayway.jsonpath.JsonPath;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.context.TestPropertySource;

/**
 * The web layer alone: every malformed or invalid submission is refused with a problem+json that names the
 * field, and the job service is never reached, so nothing can be stored.
 */
@TestPropertySource(properties = {"l0.api.max-request-bytes=4096", "l0.limits.max-parameters=1000000",
        "l0.limits.max-epochs=500"})
class JobSubmissionValidationWebTest extends JobControllerWebTest {

    private static final String MLP = """
            {"inputShape": [784], "layers": [{"type": "dense", "units": 32}, {"type": "relu"},
             {"type": "dense", "units": 10}]}""";

    private static List<Map<String, String>> errors(MockHttpServletResponse response) throws Exception {
        return JsonPath.read(response.getContentAsString(), "$.errors");
    }

    @Test
    void malformedJsonIsRefusedWith400() throws Exception {
        MockHttpServletResponse response = submit("{\"model\": {\"preset\": \"mlp\"");
        assertThat(response.getStatus()).isEqualTo(400);
        assertThat(response.getContentAsString()).contains("urn:l0-sparsify:problem:malformed-json")
                .contains("not valid JSON");
        verify(jobs, never()).submit(any(), any(), any(), any());
    }

    @Test
    void trailingGarbageAndDuplicateKeysAreMalformed() throws Exception {
        assertThat(submit("{\"model\": {\"preset\": \"mlp\"}} x").getStatus()).isEqualTo(400);
        assertThat(submit("{\"model\": {\"preset\": \"mlp\"}, \"model\": {}}").getStatus()).isEqualTo(400);
        assertThat(submit("").getStatus()).isEqualTo(400);
    }

    @Test
    void nonObjectBodyIsAValidationError() throws Exception {
        MockHttpServletResponse response = submit("[1, 2]");
        assertThat(response.getStatus()).isEqualTo(422);
        assertThat(response.getContentAsString()).contains("must be a JSON object");
    }

    @Test
    void unknownTopLevelFieldIsNamed() throws Exception {
        assertValidationError("{\"model\": {\"preset\": \"mlp\"}, \"dataset\": {\"uri\": \"builtin:mnist\"}, "
                + "\"priority\": 5}", "priority", "unknown field");
    }

    @Test
    void unknownTrainingFieldIsNamed() throws Exception {
        assertValidationError("{\"model\": {\"preset\": \"mlp\"}, \"dataset\": {\"uri\": \"builtin:mnist\"}, "
                + "\"training\": {\"epochz\": 5}}", "training.epochz", "unknown field");
    }

    @Test
    void unknownLayerFieldIsNamed() throws Exception {
        assertValidationError("{\"model\": {\"inputShape\": [784], \"layers\": [{\"type\": \"dense\", \"units\": 10, "
                + "\"kernel\": 3}]}, \"dataset\": {\"uri\": \"builtin:mnist\"}}", "model.layers[0].kernel",
                "unknown field");
    }

    @Test
    void unknownLayerTypeIsNamedWithTheKnownTypes() throws Exception {
        assertValidationError("{\"model\": {\"inputShape\": [784], \"layers\": [{\"type\": \"dense\", \"units\": 32},"
                + " {\"type\": \"lstm\"}, {\"type\": \"dense\", \"units\": 10}]},"
                + " \"dataset\": {\"uri\": \"builtin:mnist\"}}",
                "model.layers[1].type", "known types: dense, conv2d");
    }

    @Test
    void poolingPaddingBeyondHalfTheWindowIsNamed() throws Exception {
        assertValidationError("{\"model\": {\"inputShape\": [1, 28, 28], \"layers\": [{\"type\": \"conv2d\","
                + " \"filters\": 4, \"kernel\": 3}, {\"type\": \"avgpool\", \"size\": 2, \"padding\": 2},"
                + " {\"type\": \"flatten\"}, {\"type\": \"dense\", \"units\": 10}]},"
                + " \"dataset\": {\"uri\": \"builtin:mnist\"}}", "model.layers[1].padding", "half the window size");
    }

    @Test
    void unknownPresetIsNamedWithTheKnownPresets() throws Exception {
        assertValidationError("{\"model\": {\"preset\": \"resnet50\"}, \"dataset\": {\"uri\": \"builtin:mnist\"}}",
                "model.preset", "known presets: mlp, lenet5-caffe, wrn-16-4, wrn-28-10");
    }

    @Test
    void presetAndLayersTogetherAreRefused() throws Exception {
        assertValidationError("{\"model\": {\"preset\": \"mlp\", \"inputShape\": [784], \"layers\": []}, "
                + "\"dataset\": {\"uri\": \"builtin:mnist\"}}", "model", "not both");
    }

    @Test
    void nonPositiveUnitsAreRefused() throws Exception {
        assertValidationError("{\"model\": {\"inputShape\": [784], \"layers\": [{\"type\": \"dense\", \"units\": 0},"
                + " {\"type\": \"dense\", \"units\": 10}]}, \"dataset\": {\"uri\": \"builtin:mnist\"}}",
                "model.layers[0].units", "must be at least 1 but is 0");
    }

    @Test
    void absurdUnitsAreRefused() throws Exception {
        assertValidationError("{\"model\": {\"inputShape\": [784],"
                + " \"layers\": [{\"type\": \"dense\", \"units\": 2000000000},"
                + " {\"type\": \"dense\", \"units\": 10}]}, \"dataset\": {\"uri\": \"builtin:mnist\"}}",
                "model.layers[0].units", "must be between 1 and 65536");
    }

    @Test
    void nonIntegerUnitsAreRefused() throws Exception {
        assertValidationError("{\"model\": {\"inputShape\": [784], \"layers\": [{\"type\": \"dense\", \"units\": 3.5},"
                + " {\"type\": \"dense\", \"units\": 10}]}, \"dataset\": {\"uri\": \"builtin:mnist\"}}",
                "model.layers[0].units", "must be an integer");
    }

    @Test
    void specOverTheParameterLimitIsRefusedBeforeQueueing() throws Exception {
        // 784·2000 + 2000 = 1 570 000 parameters > l0.limits.max-parameters = 1 000 000
        assertValidationError("{\"model\": {\"inputShape\": [784], \"layers\": [{\"type\": \"dense\", \"units\": 2000},"
                + " {\"type\": \"dense\", \"units\": 10}]}, \"dataset\": {\"uri\": \"builtin:mnist\"}}",
                "model.layers[0]", "at most 1000000 are allowed");
    }

    @Test
    void shapesThatDoNotChainAreRefused() throws Exception {
        assertValidationError("{\"model\": {\"inputShape\": [1, 28, 28], \"layers\": [{\"type\": \"conv2d\", "
                + "\"filters\": 4, \"kernel\": 5}, {\"type\": \"dense\", \"units\": 10}]},"
                + " \"dataset\": {\"uri\": \"builtin:mnist\"}}",
                "model.layers[1]", "add a flatten layer");
    }

    @Test
    void kernelLargerThanItsInputIsRefused() throws Exception {
        assertValidationError("{\"model\": {\"inputShape\": [1, 4, 4], \"layers\": [{\"type\": \"conv2d\", "
                + "\"filters\": 4, \"kernel\": 5}, {\"type\": \"flatten\"}, {\"type\": \"dense\", \"units\": 10}]}, "
                + "\"dataset\": {\"uri\": \"builtin:mnist\"}}", "model.layers[0]", "larger than its input");
    }

    @Test
    void negativeLambdaIsRefused() throws Exception {
        assertValidationError(job("{\"lambda\": -0.1}"), "training.lambda", "must be at least 0 but is -0.1");
    }

    @Test
    void nanLambdaInAListIsRefusedWithItsIndex() throws Exception {
        assertValidationError(job("{\"lambda\": [0.1, NaN]}"), "training.lambda[1]", "NaN");
    }

    @Test
    void lambdaListOfTheWrongLengthIsRefused() throws Exception {
        assertValidationError(job("{\"lambda\": [0.1, 0.1, 0.1]}"), "training.lambda", "one per gated layer (2)");
    }

    @Test
    void negativeLearningRateIsRefused() throws Exception {
        assertValidationError(job("{\"learningRate\": -1}"), "training.learningRate", "must be greater than 0");
    }

    @Test
    void nanLearningRateIsRefused() throws Exception {
        assertValidationError(job("{\"learningRate\": NaN}"), "training.learningRate", "NaN");
    }

    @Test
    void learningRateAsStringIsRefused() throws Exception {
        assertValidationError(job("{\"learningRate\": \"fast\"}"), "training.learningRate", "must be a number");
    }

    @Test
    void epochsOutOfRangeAreRefused() throws Exception {
        assertValidationError(job("{\"epochs\": 0}"), "training.epochs", "must be at least 1 but is 0");
        assertValidationError(job("{\"epochs\": 501}"), "training.epochs", "must be at most 500 but is 501");
    }

    @Test
    void batchSizeOutOfRangeIsRefused() throws Exception {
        assertValidationError(job("{\"batchSize\": -5}"), "training.batchSize", "must be at least 1 but is -5");
        assertValidationError(job("{\"batchSize\": 100000}"), "training.batchSize", "must be at most 8192");
    }

    @Test
    void unknownDeviceIsRefused() throws Exception {
        assertValidationError(job("{\"device\": \"tpu\"}"), "training.device", "but is 'tpu'");
        assertValidationError(job("{\"device\": \"gpu:1,1\"}"), "training.device", "names a GPU twice");
        assertValidationError(job("{\"device\": \"gpu:0,\"}"), "training.device", "gpu:0,");
    }

    @Test
    void badMaxRuntimeIsRefused() throws Exception {
        assertValidationError(job("{\"maxRuntime\": \"ten minutes\"}"), "training.maxRuntime", "ISO-8601");
        assertValidationError(job("{\"maxRuntime\": \"P30D\"}"), "training.maxRuntime", "at most PT24H");
    }

    @Test
    void everyProblemOfABodyIsListed() throws Exception {
        MockHttpServletResponse response = submit("{\"model\": {\"inputShape\": [784], \"layers\": "
                + "[{\"type\": \"dense\"}, {\"type\": \"pool\"}]}, \"training\": {\"epochs\": \"x\"}}");
        assertThat(response.getStatus()).isEqualTo(422);
        assertThat(errors(response)).extracting(e -> e.get("field")).contains("model.layers[0].units",
                "model.layers[1].type", "dataset", "training.epochs");
    }

    @Test
    void missingDatasetIsRefused() throws Exception {
        assertValidationError("{\"model\": {\"preset\": \"mlp\"}}", "dataset", "is required");
    }

    @Test
    void oversizedBodyIsRefusedWith413() throws Exception {
        String padding = "x".repeat(5000);
        MockHttpServletResponse response = submit("{\"name\": \"" + padding + "\", \"model\": {\"preset\": \"mlp\"}}");
        assertThat(response.getStatus()).isEqualTo(413);
        assertThat(response.getContentAsString()).contains("urn:l0-sparsify:problem:payload-too-large")
                .contains("4096 bytes");
        verify(jobs, never()).submit(any(), any(), any(), any());
    }

    @Test
    void wrongMediaTypeIsRefusedWith415() throws Exception {
        MockHttpServletResponse response = api.any(post("/v1/jobs").contentType(MediaType.TEXT_PLAIN)
                .content("model=mlp"));
        assertThat(response.getStatus()).isEqualTo(415);
        assertThat(response.getContentType()).startsWith("application/problem+json");
        assertThat(response.getContentAsString()).contains("urn:l0-sparsify:problem:unsupported-media-type");
        verify(jobs, never()).submit(any(), any(), any(), any());
    }

    @Test
    void wrongMethodIsRefusedWith405AndAllow() throws Exception {
        MockHttpServletResponse response = api.any(delete("/v1/jobs"));
        assertThat(response.getStatus()).isEqualTo(405);
        assertThat(response.getHeader("Allow")).contains("GET").contains("POST");
        assertThat(response.getContentAsString()).contains("urn:l0-sparsify:problem:method-not-allowed");
        assertThat(api.any(put("/v1/presets")).getStatus()).isEqualTo(405);
    }

    @Test
    void unknownJobIsA404Problem() throws Exception {
        when(jobs.find("nope")).thenReturn(Optional.empty());
        MockHttpServletResponse response = api.any(get("/v1/jobs/nope"));
        assertThat(response.getStatus()).isEqualTo(404);
        assertThat(response.getContentAsString()).contains("urn:l0-sparsify:problem:job-not-found")
                .contains("no job with id 'nope'");
    }

    @Test
    void unacceptableMediaTypeIsA406Problem() throws Exception {
        MockHttpServletResponse response = api.any(get("/v1/presets").accept(MediaType.APPLICATION_XML));
        assertThat(response.getStatus()).isEqualTo(406);
        assertThat(response.getContentType()).startsWith("application/problem+json");
        assertThat(response.getContentAsString()).contains("urn:l0-sparsify:problem:not-acceptable");
    }

    @Test
    void unknownPathIsA404Problem() throws Exception {
        MockHttpServletResponse response = api.any(get("/v1/nothing-here"));
        assertThat(response.getStatus()).isEqualTo(404);
        assertThat(response.getContentType()).startsWith("application/problem+json");
        assertThat(response.getContentAsString()).contains("urn:l0-sparsify:problem:not-found");
    }

    @Test
    void badListParametersAreNamed() throws Exception {
        MockHttpServletResponse response = api.any(get("/v1/jobs").param("state", "DONE").param("pageSize", "0"));
        assertThat(response.getStatus()).isEqualTo(422);
        assertThat(errors(response)).extracting(e -> e.get("field")).containsExactlyInAnyOrder("state", "pageSize");
        assertThat(api.any(get("/v1/jobs").param("pageSize", "many")).getStatus()).isEqualTo(422);
        verify(jobs, never()).list(any(), anyInt(), any(), any());
    }

    @Test
    void badIdempotencyKeyIsNamed() throws Exception {
        MockHttpServletResponse response = api.any(post("/v1/jobs").contentType(MediaType.APPLICATION_JSON)
                .header("Idempotency-Key", "x".repeat(201)).content(job("{}")));
        assertThat(response.getStatus()).isEqualTo(422);
        assertThat(errors(response)).extracting(e -> e.get("field")).containsExactly("Idempotency-Key");
    }

    @Test
    void presetsListTheirModelsAndSizes() throws Exception {
        MockHttpServletResponse response = api.valid(get("/v1/presets"));
        assertThat(response.getStatus()).isEqualTo(200);
        assertThat((List<String>) JsonPath.read(response.getContentAsString(), "$.items[*].name"))
                .containsExactly("mlp", "lenet5-caffe", "wrn-16-4", "wrn-28-10");
        // 784·300+300 + 300·100+100 + 100·10+10 = 266 610
        assertThat((Integer) JsonPath.read(response.getContentAsString(), "$.items[0].parameters")).isEqualTo(266_610);
    }

    private static String job(String training) {
        return "{\"model\": " + MLP + ", \"dataset\": {\"uri\": \"builtin:mnist\"}, \"training\": " + training + "}";
    }
}
