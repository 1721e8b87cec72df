package io.l0sparsify.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import com.jayway.jsonpath.JsonPath;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletResponse;

/**
 * Requests inside every size limit that would still exhaust or break the service are refused at submit with
 * 422 naming the field, under the service's default limits: a step whose activations need more memory than
 * {@code l0.limits.max-step-memory}, a flatten whose size wraps an {@code int}, strings longer than the contract
 * allows, and text a database cannot store faithfully (NUL, unpaired surrogates).
 */
class SubmissionBoundsWebTest extends JobControllerWebTest {

    private static String job(String model, String training) {
        return "{\"model\": " + model + ", \"dataset\": {\"uri\": \"builtin:mnist\"}, \"training\": " + training
                + "}";
    }

    private void assertRefused(String body, String field, String... messageParts) throws Exception {
        MockHttpServletResponse response = api.any(post("/v1/jobs").contentType(MediaType.APPLICATION_JSON)
                .content(body));
        assertThat(response.getStatus()).as(response.getContentAsString()).isEqualTo(422);
        assertThat((String) JsonPath.read(response.getContentAsString(), "$.type"))
                .isEqualTo("urn:l0-sparsify:problem:validation-error");
        List<Map<String, String>> errors = JsonPath.read(response.getContentAsString(), "$.errors");
        assertThat(errors).as(response.getContentAsString()).anySatisfy(e -> {
            assertThat(e.get("field")).isEqualTo(field);
            assertThat(e.get("message")).contains(messageParts);
        });
        // a refusal never echoes the value back: a megabyte sent is not a megabyte returned
        assertThat(response.getContentAsString().length()).isLessThan(4000);
        verify(jobs, never()).submit(any(), any(), any(), any());
    }

    @Test
    void aConvolutionWhoseEvaluationBatchNeedsTensOfGigabytesIsRefusedNamingTheLayer() throws Exception {
        // 65 536 filters of 28×28 = 51 380 224 values per example: a training batch of 64 needs about 26 GB,
        // 1000 test examples at once about 206 GB; the parameters (786 442) are well inside their limit
        String model = """
                {"inputShape": [1, 28, 28], "layers": [{"type": "conv2d", "filters": 65536, "kernel": 1},
                 {"type": "maxpool", "size": 28}, {"type": "flatten"},
                 {"type": "dense", "units": 10, "gated": false}]}""";
        assertRefused(job(model, "{\"batchSize\": 64}"), "model.layers[0]", "l0.limits.max-step-memory",
                "evaluating 1000 test examples");
    }

    @Test
    void aConvolutionWhoseUnfoldedInputOverflowsTheStepMemoryIsRefusedThoughItsActivationsFit() throws Exception {
        // input 64·64·64 = 262 144 values, output 4·64·64 = 16 384 and 10: 278 538 activation values per example,
        // 1.0 GiB at the evaluation batch of 1000 (allowed alone); unfolded for im2col the 5×5 convolution reads
        // 64·25·(64·64) = 6 553 600 values per example, 24.4 GiB more
        String model = """
                {"inputShape": [64, 64, 64], "layers": [{"type": "conv2d", "filters": 4, "kernel": 5, "padding": 2},
                 {"type": "flatten"}, {"type": "dense", "units": 10, "gated": false}]}""";
        assertRefused(job(model, "{\"batchSize\": 10}"), "model.layers[0]", "l0.limits.max-step-memory",
                "unfolds 6553600 for its largest convolution");
    }

    @Test
    void aBatchWhoseActivationsExceedTheStepMemoryIsRefusedNamingTheBatchSize() throws Exception {
        // 64 + 3 · 65 536 + 10 = 196 682 values per example: 1000 evaluated at once need 0.7 GiB (allowed); a
        // training batch of 8192 with gradients 12 GiB (refused: 4 GiB holds 4 294 967 296 / (196 682 · 8) = 2729)
        String model = """
                {"inputShape": [64], "layers": [{"type": "dense", "units": 65536}, {"type": "relu"},
                 {"type": "dropout", "rate": 0.1}, {"type": "dense", "units": 10, "gated": false}]}""";
        assertRefused(job(model, "{\"batchSize\": 8192}"), "training.batchSize", "l0.limits.max-step-memory",
                "above a batch of 2729");
    }

    @Test
    void aFlattenWhoseSizeWrapsAnIntIsRefusedInsteadOfCountedAsZero() throws Exception {
        // 65 536 · 256 · 256 = 2^32, which an int product turns into 0: the dense layer after it would count
        // 0 · 10 + 10 parameters and the network pass every limit
        String model = """
                {"inputShape": [1, 256, 256], "layers": [{"type": "conv2d", "filters": 65536, "kernel": 1},
                 {"type": "flatten"}, {"type": "dense", "units": 10}]}""";
        assertRefused(job(model, "{}"), "model.layers[1]", "would flatten [65536, 256, 256] into 4294967296 values");
    }

    @Test
    void aDatasetUriLongerThanTheContractAllowsIsRefused() throws Exception {
        String uri = "file:/" + "a".repeat(900_000);
        assertRefused("{\"model\": {\"preset\": \"mlp\"}, \"dataset\": {\"uri\": \"" + uri + "\"}}", "dataset.uri",
                "4096");
    }

    @Test
    void aNameLongerThanTheContractAllowsIsRefused() throws Exception {
        assertRefused("{\"name\": \"" + "n".repeat(201) + "\", \"model\": {\"preset\": \"mlp\"},"
                + " \"dataset\": {\"uri\": \"builtin:mnist\"}}", "name", "200");
    }

    @Test
    void aLongUriWithAControlCharacterIsQuotedOnlyInPart() throws Exception {
        String uri = "file:/\\u0001" + "a".repeat(900_000);
        assertRefused("{\"model\": {\"preset\": \"mlp\"}, \"dataset\": {\"uri\": \"" + uri + "\"}}", "dataset.uri",
                "builtin:NAME, file:/absolute/path, dataset:ID, s3://bucket/key or https://host/path",
                "(900007 characters in all)");
    }

    @Test
    void aNameWithANulCharacterIsRefused() throws Exception {
        assertRefused("{\"name\": \"run\\u0000one\", \"model\": {\"preset\": \"mlp\"},"
                + " \"dataset\": {\"uri\": \"builtin:mnist\"}}", "name", "control characters");
    }

    @Test
    void aNameWithAnUnpairedSurrogateIsRefusedRatherThanStoredAsAQuestionMark() throws Exception {
        assertRefused("{\"name\": \"run \\ud800\", \"model\": {\"preset\": \"mlp\"},"
                + " \"dataset\": {\"uri\": \"builtin:mnist\"}}", "name", "control characters");
        assertRefused("{\"name\": \"run \\udc00 one\", \"model\": {\"preset\": \"mlp\"},"
                + " \"dataset\": {\"uri\": \"builtin:mnist\"}}", "name", "control characters");
    }

    @Test
    void aDatasetUriWithANulCharacterIsRefused() throws Exception {
        assertRefused("{\"model\": {\"preset\": \"mlp\"}, \"dataset\": {\"uri\": \"file:/data\\u0000/x\"}}",
                "dataset.uri", "must be builtin:NAME, file:/absolute/path, dataset:ID, s3://bucket/key or https://host/path");
    }
}
