package io.l0sparsify.api;

import io.l0sparsify.testing.TestKeys;
import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import java.io.ByteArrayOutputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Model uploads through the real servlet container, whose multipart parsing MockMvc does not run: a multipart
 * upload is read from the part Tomcat spooled to disk, and a file part past {@code l0.models.max-upload-size} is
 * a 413 problem (whether the container's multipart limit or the service's own count sees it first). Responses are
 * checked against openapi.yaml.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:modelhttp;DB_CLOSE_DELAY=-1", "l0.worker.enabled=false",
        "l0.models.max-upload-size=64KB"})
class ModelUploadHttpTest {

    private static final Path ROOT = tempRoot();

    @DynamicPropertySource
    static void paths(DynamicPropertyRegistry registry) {
        registry.add("l0.storage.dir", () -> ROOT.resolve("artifacts").toString());
        registry.add("l0.models.upload-dir", () -> ROOT.resolve("uploads").toString());
    }

    @LocalServerPort
    int port;

    private final HttpClient client = HttpClient.newHttpClient();

    @Test
    void multipartUploadThroughTheContainerIsKept() throws Exception {
        byte[] file = Files.readAllBytes(Path.of("src/test/resources/models/mlp_matmul_add.onnx"));
        HttpResponse<String> response = postMultipart(file, "tf-style");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(201);
        assertThat((String) JsonPath.read(response.body(), "$.name")).isEqualTo("tf-style");
        assertThat(((Number) JsonPath.read(response.body(), "$.upload.sizeBytes")).intValue()).isEqualTo(file.length);
    }

    @Test
    void multipartFilePartPastTheLimitIs413() throws Exception {
        HttpResponse<String> response = postMultipart(new byte[64 * 1024 + 1], "big");
        assertThat(response.statusCode()).as(response.body()).isEqualTo(413);
        assertThat(response.headers().firstValue("Content-Type")).hasValueSatisfying(
                type -> assertThat(type).startsWith("application/problem+json"));
        assertThat((String) JsonPath.read(response.body(), "$.type"))
                .isEqualTo("urn:l0-sparsify:problem:payload-too-large");
    }

    private HttpResponse<String> postMultipart(byte[] file, String name) throws Exception {
        String boundary = "----model-upload-boundary";
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"name\"\r\n\r\n" + name + "\r\n")
                .getBytes(StandardCharsets.UTF_8));
        body.write(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"m.onnx\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.UTF_8));
        body.write(file);
        body.write(("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8));
        HttpRequest request = HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/v1/models"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .header(TestKeys.AUTHORIZATION, TestKeys.adminBearer())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build();
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        OpenApiContract.Exchange exchange = new OpenApiContract.Exchange("POST", "/v1/models", null,
                "multipart/form-data", null, response.statusCode(),
                response.headers().firstValue("Content-Type").orElse(null),
                h -> response.headers().firstValue(h).orElse(null), response.body());
        assertThat(OpenApiContract.instance().responseViolations(exchange)).isEmpty();
        return response;
    }

    private static Path tempRoot() {
        try {
            return Files.createTempDirectory("model-http");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
