package io.l0sparsify.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import com.jayway.jsonpath.JsonPath;
import io.l0sparsify.model.ModelReferences;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Import;
import org.springframework.context.annotation.Primary;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/**
 * {@code /v1/models} over the whole application: uploads by multipart and by binary body of files PyTorch
 * exported, the model resource, refusals (413, 422) that keep nothing, 404, paging, download and delete. Every
 * exchange is checked against openapi.yaml.
 */
@SpringBootTest(properties = {"spring.datasource.url=jdbc:h2:mem:modelapi;DB_CLOSE_DELAY=-1",
        "l0.worker.enabled=false", "l0.models.max-upload-size=64KB"})
@AutoConfigureMockMvc
@Import(ModelApiTest.JobsReadingModels.class)
class ModelApiTest {

    /** Stands in for the job store until jobs refer to models: which jobs read which model. */
    @TestConfiguration
    static class JobsReadingModels {

        static final Map<String, List<String>> READERS = new ConcurrentHashMap<>();

        /** In place of the job store's, so a test can say which jobs read a model without running any. */
        @Bean
        @Primary
        ModelReferences modelReferences() {
            return id -> READERS.getOrDefault(id, List.of());
        }
    }

    private static final Path MODELS = Path.of("src/test/resources/models");
    private static final Path ROOT = tempRoot();
    private static final JsonNode FACTS = facts();

    @DynamicPropertySource
    static void paths(DynamicPropertyRegistry registry) {
        registry.add("l0.storage.dir", () -> ROOT.resolve("artifacts").toString());
        registry.add("l0.models.upload-dir", () -> ROOT.resolve("uploads").toString());
    }

    @Autowired
    MockMvc mockMvc;

    @Autowired
    JdbcClient jdbc;

    ContractMvc api;

    @BeforeEach
    void setUp() throws Exception {
        api = new ContractMvc(mockMvc);
        // each test starts with no model: rows and the files of earlier tests' models
        jdbc.sql("delete from uploaded_model").update();
        JobsReadingModels.READERS.clear();
        for (Path file : filesUnder(ROOT.resolve("artifacts"))) {
            Files.delete(file);
        }
    }

    @Test
    void multipartUploadIsReadCheckedKeptListedDownloadedAndDeleted() throws Exception {
        byte[] bytes = Files.readAllBytes(MODELS.resolve("cnn_bn_kept.onnx"));
        MockHttpServletResponse created = api.valid(multipart("/v1/models")
                .file(new MockMultipartFile("file", "cnn.onnx", "application/octet-stream", bytes))
                .param("name", "small cnn"));
        assertThat(created.getStatus()).isEqualTo(201);
        String body = created.getContentAsString();
        String id = JsonPath.read(body, "$.id");
        assertThat(created.getHeader("Location")).isEqualTo("/v1/models/" + id);
        assertThat((String) JsonPath.read(body, "$.name")).isEqualTo("small cnn");
        assertThat((String) JsonPath.read(body, "$.state")).isEqualTo("READY");
        assertThat((String) JsonPath.read(body, "$.upload.sha256")).isEqualTo(sha256(bytes));
        assertThat(((Number) JsonPath.read(body, "$.upload.sizeBytes")).longValue()).isEqualTo(bytes.length);
        assertThat(((Number) JsonPath.read(body, "$.parameters")).longValue())
                .isEqualTo(FACTS.get("cnn_bn_kept").get("parameters").asLong());
        assertThat((List<Integer>) JsonPath.read(body, "$.input.shape")).containsExactly(1, 16, 16);
        assertThat((List<String>) JsonPath.read(body, "$.layers[*].kind")).containsExactly("conv2d", "batchnorm",
                "relu", "maxpool", "conv2d", "batchnorm", "relu", "avgpool", "flatten", "dense");
        assertThat((List<Integer>) JsonPath.read(body, "$.gateGroups[*].size")).containsExactly(6, 8, 128);

        assertThat(api.valid(get("/v1/models/" + id)).getContentAsString()).isEqualTo(body);
        String list = api.valid(get("/v1/models")).getContentAsString();
        assertThat((List<String>) JsonPath.read(list, "$.items[*].id")).containsExactly(id);

        MockHttpServletResponse download = api.valid(get("/v1/models/" + id + "/onnx"));
        assertThat(download.getStatus()).isEqualTo(200);
        assertThat(download.getContentAsByteArray()).isEqualTo(bytes);
        assertThat(download.getHeader("ETag")).isEqualTo("\"" + sha256(bytes) + "\"");
        assertThat(download.getHeader("Content-Disposition")).contains(id + ".onnx");

        assertThat(api.valid(delete("/v1/models/" + id)).getStatus()).isEqualTo(204);
        assertThat(problemType(api.valid(get("/v1/models/" + id)), 404)).isEqualTo("model-not-found");
        assertThat(problemType(api.valid(get("/v1/models/" + id + "/onnx")), 404)).isEqualTo("model-not-found");
        assertThat(problemType(api.valid(delete("/v1/models/" + id)), 404)).isEqualTo("model-not-found");
        assertThat(filesUnder(ROOT.resolve("artifacts"))).isEmpty();
        assertThat(filesUnder(ROOT.resolve("uploads"))).isEmpty();
    }

    @Test
    void binaryUploadTakesItsNameFromTheQuery() throws Exception {
        byte[] bytes = Files.readAllBytes(MODELS.resolve("resnet_small.onnx"));
        MockHttpServletResponse created = api.valid(post("/v1/models").queryParam("name", "resnet")
                .contentType(MediaType.APPLICATION_OCTET_STREAM).content(bytes));
        assertThat(created.getStatus()).isEqualTo(201);
        String body = created.getContentAsString();
        assertThat((String) JsonPath.read(body, "$.name")).isEqualTo("resnet");
        assertThat((String) JsonPath.read(body, "$.uri")).isEqualTo("model:" + JsonPath.read(body, "$.id"));
        assertThat(((Number) JsonPath.read(body, "$.parameters")).longValue())
                .isEqualTo(FACTS.get("resnet_small").get("parameters").asLong());
        assertThat((List<Boolean>) JsonPath.read(body, "$.gateGroups[?(@.kind == 'conv_feature_maps')].gateable"))
                .containsExactly(false, true, false);
        assertThat((List<String>) JsonPath.read(body, "$.outputs[*].name")).containsExactly("output");
        assertThat(filesUnder(ROOT.resolve("uploads"))).isEmpty();
    }

    @Test
    void unsupportedOperatorsAreRefusedNamingEachNodeAndNothingIsKept() throws Exception {
        MockHttpServletResponse refused = api.valid(post("/v1/models").contentType(MediaType.APPLICATION_OCTET_STREAM)
                .content(Files.readAllBytes(MODELS.resolve("bad_lstm.onnx"))));
        assertThat(problemType(refused, 422)).isEqualTo("model-invalid");
        String body = refused.getContentAsString();
        assertThat((List<String>) JsonPath.read(body, "$.problems[*].opType")).contains("LSTM", "Transpose");
        assertThat((List<String>) JsonPath.read(body, "$.problems[?(@.opType == 'LSTM')].node"))
                .containsExactly("/lstm/LSTM");
        assertNothingKept();
    }

    @Test
    void truncatedAndNonOnnxFilesAreRefused() throws Exception {
        MockHttpServletResponse truncated = api.valid(multipart("/v1/models").file(new MockMultipartFile("file",
                "m.onnx", "application/octet-stream", Files.readAllBytes(MODELS.resolve("bad_truncated.onnx")))));
        assertThat(problemType(truncated, 422)).isEqualTo("model-invalid");
        assertThat((String) JsonPath.read(truncated.getContentAsString(), "$.detail")).contains("truncated");
        MockHttpServletResponse text = api.valid(post("/v1/models").contentType(MediaType.APPLICATION_OCTET_STREAM)
                .content("a,b\n1,2\n".getBytes(StandardCharsets.UTF_8)));
        assertThat(problemType(text, 422)).isEqualTo("model-invalid");
        MockHttpServletResponse empty = api.valid(post("/v1/models").contentType(MediaType.APPLICATION_OCTET_STREAM)
                .content(new byte[0]));
        assertThat(problemType(empty, 422)).isEqualTo("model-invalid");
        assertThat((String) JsonPath.read(empty.getContentAsString(), "$.detail")).contains("not an ONNX model");
        assertThat(problemType(api.any(post("/v1/models").contentType(MediaType.TEXT_PLAIN).content("x")), 415))
                .isEqualTo("unsupported-media-type");
        assertNothingKept();
    }

    @Test
    void uploadPastTheLimitIs413AndKeepsNothing() throws Exception {
        byte[] big = new byte[64 * 1024 + 1];
        assertThat(problemType(api.valid(post("/v1/models").contentType(MediaType.APPLICATION_OCTET_STREAM)
                .content(big)), 413)).isEqualTo("payload-too-large");
        assertThat(problemType(api.valid(multipart("/v1/models").file(new MockMultipartFile("file", "big.onnx",
                "application/octet-stream", big))), 413)).isEqualTo("payload-too-large");
        assertNothingKept();
    }

    @Test
    void missingFilePartAndOverlongNameAreValidationErrors() throws Exception {
        MockHttpServletResponse noFile = api.any(multipart("/v1/models").param("name", "x"));
        assertThat(problemType(noFile, 422)).isEqualTo("validation-error");
        assertThat((List<String>) JsonPath.read(noFile.getContentAsString(), "$.errors[*].field"))
                .containsExactly("file");
        MockHttpServletResponse longName = api.any(post("/v1/models").queryParam("name", "n".repeat(201))
                .contentType(MediaType.APPLICATION_OCTET_STREAM)
                .content(Files.readAllBytes(MODELS.resolve("mlp_gemm.onnx"))));
        assertThat(problemType(longName, 422)).isEqualTo("validation-error");
        assertThat((List<String>) JsonPath.read(longName.getContentAsString(), "$.errors[*].field"))
                .containsExactly("name");
        MockHttpServletResponse unknown = api.any(post("/v1/models").queryParam("format", "onnx")
                .contentType(MediaType.APPLICATION_OCTET_STREAM)
                .content(Files.readAllBytes(MODELS.resolve("mlp_gemm.onnx"))));
        assertThat((List<String>) JsonPath.read(unknown.getContentAsString(), "$.errors[*].field"))
                .containsExactly("format");
        assertNothingKept();
    }

    @Test
    void modelThatJobsReadIsNotDeleted() throws Exception {
        String id = JsonPath.read(api.valid(post("/v1/models").contentType(MediaType.APPLICATION_OCTET_STREAM)
                .content(Files.readAllBytes(MODELS.resolve("mlp_gemm.onnx")))).getContentAsString(), "$.id");
        JobsReadingModels.READERS.put(id, List.of("job-1"));
        MockHttpServletResponse refused = api.valid(delete("/v1/models/" + id));
        assertThat(problemType(refused, 409)).isEqualTo("model-in-use");
        assertThat((List<String>) JsonPath.read(refused.getContentAsString(), "$.jobIds")).containsExactly("job-1");
        assertThat(api.valid(get("/v1/models/" + id + "/onnx")).getStatus()).isEqualTo(200);
        JobsReadingModels.READERS.clear();
        assertThat(api.valid(delete("/v1/models/" + id)).getStatus()).isEqualTo(204);
    }

    @Test
    void listIsPagedNewestFirst() throws Exception {
        byte[] bytes = Files.readAllBytes(MODELS.resolve("mlp_matmul_add.onnx"));
        for (String name : List.of("a", "b", "c")) {
            api.valid(post("/v1/models").queryParam("name", name).contentType(MediaType.APPLICATION_OCTET_STREAM)
                    .content(bytes));
        }
        String first = api.valid(get("/v1/models").queryParam("pageSize", "2")).getContentAsString();
        assertThat((List<String>) JsonPath.read(first, "$.items[*].name")).containsExactly("c", "b");
        String token = JsonPath.read(first, "$.nextPageToken");
        String second = api.valid(get("/v1/models").queryParam("pageSize", "2").queryParam("pageToken", token))
                .getContentAsString();
        assertThat((List<String>) JsonPath.read(second, "$.items[*].name")).containsExactly("a");
        assertThat((Object) JsonPath.read(second, "$.nextPageToken")).isNull();
        assertThat(problemType(api.any(get("/v1/models").queryParam("pageToken", "nope")), 422))
                .isEqualTo("validation-error");
        assertThat(problemType(api.any(get("/v1/models").queryParam("pageSize", "0")), 422))
                .isEqualTo("validation-error");
    }

    private void assertNothingKept() throws Exception {
        assertThat(jdbc.sql("select count(*) from uploaded_model").query(Long.class).single()).isZero();
        assertThat(filesUnder(ROOT.resolve("artifacts"))).isEmpty();
        assertThat(filesUnder(ROOT.resolve("uploads"))).isEmpty();
    }

    private static String problemType(MockHttpServletResponse response, int status) throws Exception {
        assertThat(response.getStatus()).as(response.getContentAsString()).isEqualTo(status);
        assertThat(response.getContentType()).startsWith("application/problem+json");
        String type = JsonPath.read(response.getContentAsString(), "$.type");
        return type.substring("urn:l0-sparsify:problem:".length());
    }

    private static List<Path> filesUnder(Path dir) throws Exception {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    private static Path tempRoot() {
        try {
            return Files.createTempDirectory("model-api");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private static JsonNode facts() {
        try {
            return new ObjectMapper().readTree(Files.readString(MODELS.resolve("models.json")));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

}
