package io.l0sparsify.api;

import io.l0sparsify.testing.TestKeys;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import com.jayway.jsonpath.JsonPath;
import io.l0sparsify.dataset.DatasetRef;
import io.l0sparsify.dataset.CanonicalDatasetCodec;
import io.l0sparsify.dataset.ExampleValues;
import io.l0sparsify.dataset.FakeDatasetReader;
import io.l0sparsify.dataset.LabelledDataset;
import io.l0sparsify.job.JobDefinition;
import io.l0sparsify.job.JobStore;
import io.l0sparsify.l0.TrainingOptions;
import io.l0sparsify.spec.Presets;
import io.l0sparsify.storage.DatasetBlobStore;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;

/**
 * Uploading, reading, listing and deleting datasets over the whole application (real database, blob store and
 * upload area; a small test reader instead of the format readers). Every exchange is checked against
 * openapi.yaml; the size limit is also checked over real HTTP, where the container's multipart parser is in the
 * way.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "spring.datasource.url=jdbc:h2:mem:datasetapi;DB_CLOSE_DELAY=-1", "l0.worker.enabled=false",
        "l0.datasets.max-upload-size=64KB"})
@AutoConfigureMockMvc
@Import(FakeDatasetReader.InContext.class)
class DatasetApiTest {

    private static final Path BASE = temporaryDirectory();
    private static final Path UPLOADS = BASE.resolve("uploads");
    private static final Path ARTIFACTS = BASE.resolve("artifacts");
    private static final int LIMIT = 64 * 1024;

    /** Two float features, classes 0 and 1; no split. */
    private static final String TABLE = "1,10,0\n3,20,1\n5,30,1\n7,40,0\n";
    /** 2×2 grayscale images with their own split. */
    private static final String IMAGES = "train,0,0,255,0,255\ntrain,1,255,255,0,0\ntest,1,0,0,0,0\n";
    private static final String CSV_METADATA = """
            {"name": "table", "format": {"format": "csv", "labelColumn": "label"}}""";

    @DynamicPropertySource
    static void paths(DynamicPropertyRegistry registry) {
        registry.add("l0.datasets.upload.dir", UPLOADS::toString);
        registry.add("l0.storage.dir", ARTIFACTS::toString);
    }

    @Autowired
    MockMvc mockMvc;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    JobStore jobs;

    @Autowired
    DatasetBlobStore blobs;

    @Autowired
    FakeDatasetReader reader;

    @LocalServerPort
    int port;

    ContractMvc api;

    @BeforeEach
    void setUp() throws IOException {
        api = new ContractMvc(mockMvc);
        jdbc.sql("delete from job").update();
        jdbc.sql("delete from dataset").update();
        for (Path blob : filesUnder(ARTIFACTS.resolve("datasets"))) {
            Files.delete(blob);
        }
    }

    private static Path temporaryDirectory() {
        try {
            return Files.createTempDirectory("dataset-api");
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String json(MockHttpServletResponse response, String path) throws Exception {
        Object value = JsonPath.read(response.getContentAsString(StandardCharsets.UTF_8), path);
        return value == null ? null : value.toString();
    }

    private MockHttpServletResponse uploadMultipart(String fileName, String content, String metadata, String query)
            throws Exception {
        return api.valid(multipart("/v1/datasets" + query)
                .file(new MockMultipartFile("file", fileName, "text/csv", content.getBytes(StandardCharsets.UTF_8)))
                .file(new MockMultipartFile("metadata", "", "application/json",
                        metadata.getBytes(StandardCharsets.UTF_8))));
    }

    private MockHttpServletResponse uploadBinary(String query, byte[] content) throws Exception {
        return api.valid(post("/v1/datasets" + query).contentType(MediaType.APPLICATION_OCTET_STREAM)
                .content(content));
    }

    private MockHttpServletResponse awaitEnd(String id) {
        return await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(50)).until(
                () -> api.valid(get("/v1/datasets/" + id)),
                r -> !JsonPath.<String>read(new String(r.getContentAsByteArray(), StandardCharsets.UTF_8), "$.state")
                        .equals("INGESTING"));
    }

    private long storedDatasets() {
        return jdbc.sql("select count(*) from dataset").query(Long.class).single();
    }

    private static List<Path> filesUnder(Path dir) throws IOException {
        if (!Files.exists(dir)) {
            return List.of();
        }
        try (Stream<Path> files = Files.walk(dir)) {
            return files.filter(Files::isRegularFile).toList();
        }
    }

    private void assertNothingKept() throws Exception {
        assertThat(storedDatasets()).isZero();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(filesUnder(UPLOADS)).isEmpty());
        assertThat(filesUnder(ARTIFACTS.resolve("datasets"))).isEmpty();
    }

    private static String sha256(byte[] bytes) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

    @Test
    void multipartUploadIsAcceptedThenIngestedWithItsSummaryAndStoredForm() throws Exception {
        MockHttpServletResponse accepted = uploadMultipart("table.csv", TABLE, CSV_METADATA, "");
        assertThat(accepted.getStatus()).isEqualTo(202);
        String id = json(accepted, "$.id");
        assertThat(accepted.getHeader("Location")).isEqualTo("/v1/datasets/" + id);
        assertThat(json(accepted, "$.state")).isEqualTo("INGESTING");
        assertThat(json(accepted, "$.uri")).isEqualTo("dataset:" + id);
        assertThat(json(accepted, "$.format.format")).isEqualTo("csv");
        assertThat(json(accepted, "$.format.labelColumn")).isEqualTo("label");
        assertThat(json(accepted, "$.upload.sha256")).isEqualTo(sha256(TABLE.getBytes(StandardCharsets.UTF_8)));
        assertThat(json(accepted, "$.upload.sizeBytes")).isEqualTo(Integer.toString(TABLE.length()));

        MockHttpServletResponse ready = awaitEnd(id);
        assertThat(json(ready, "$.state")).isEqualTo("READY");
        assertThat(json(ready, "$.summary.splits")).isEqualTo("[{\"name\":\"all\",\"examples\":4}]");
        assertThat(json(ready, "$.summary.inputShape")).isEqualTo("[2]");
        assertThat(json(ready, "$.summary.dtype")).isEqualTo("float32");
        assertThat(json(ready, "$.summary.classes[1].counts.all")).isEqualTo("2");
        assertThat(json(ready, "$.summary.statistics.over")).isEqualTo("all");
        // feature 1: 1, 3, 5, 7 → mean 4, population std √((9+1+1+9)/4) = √5 = 2.2360679…
        // feature 2: 10, 20, 30, 40 → mean 25, std √((225+25+25+225)/4) = √125 = 11.1803398…
        List<Double> mean = JsonPath.read(ready.getContentAsString(), "$.summary.statistics.mean");
        List<Double> std = JsonPath.read(ready.getContentAsString(), "$.summary.statistics.std");
        assertThat(mean).containsExactly(4.0, 25.0);
        assertThat(std.get(0)).isCloseTo(2.2360679, org.assertj.core.data.Offset.offset(1e-6));
        assertThat(std.get(1)).isCloseTo(11.1803398, org.assertj.core.data.Offset.offset(1e-6));

        byte[] stored;
        try (InputStream in = blobs.open(id).orElseThrow()) {
            stored = in.readAllBytes();
        }
        assertThat(json(ready, "$.stored.sha256")).isEqualTo(sha256(stored));
        assertThat(json(ready, "$.stored.sizeBytes")).isEqualTo(Integer.toString(stored.length));
        LabelledDataset read = CanonicalDatasetCodec.read(new java.io.ByteArrayInputStream(stored));
        assertThat(((ExampleValues.Floats) read.splits().parts().get(0).values()).values())
                .containsExactly(1, 10, 3, 20, 5, 30, 7, 40);
        assertThat(filesUnder(UPLOADS)).as("the temporary upload is removed").isEmpty();
    }

    @Test
    void binaryUploadWithQueryParametersWaitsForItsSplitAndScaledStatistics() throws Exception {
        MockHttpServletResponse created = uploadBinary("?name=tiny-images&format=idx&wait=true&filename=tiny.zip",
                IMAGES.getBytes(StandardCharsets.UTF_8));
        assertThat(created.getStatus()).isEqualTo(201);
        String id = json(created, "$.id");
        assertThat(created.getHeader("Location")).isEqualTo("/v1/datasets/" + id);
        assertThat(json(created, "$.name")).isEqualTo("tiny-images");
        assertThat(json(created, "$.state")).isEqualTo("READY");
        assertThat(json(created, "$.summary.splits[0].examples")).isEqualTo("2");
        assertThat(json(created, "$.summary.splits[1].examples")).isEqualTo("1");
        assertThat(json(created, "$.summary.inputShape")).isEqualTo("[1,2,2]");
        assertThat(json(created, "$.summary.dtype")).isEqualTo("uint8");
        assertThat(json(created, "$.summary.classes[0].name")).isEqualTo("zero");
        assertThat(json(created, "$.summary.classes[0].counts")).isEqualTo("{train=1, test=0}");
        assertThat(json(created, "$.summary.classes[1].counts")).isEqualTo("{train=1, test=1}");
        // over the training split only, bytes scaled by 1/255: 0,1,0,1,1,1,0,0 → mean 0.5, std 0.5
        assertThat(json(created, "$.summary.statistics.over")).isEqualTo("train");
        assertThat(json(created, "$.summary.statistics.mean")).isEqualTo("[0.5]");
        assertThat(json(created, "$.summary.statistics.std")).isEqualTo("[0.5]");
    }

    @Test
    void invalidMetadataIsRefusedNamingTheFieldAndNothingIsKept() throws Exception {
        MockHttpServletResponse noColumn = uploadAny(multipart("/v1/datasets")
                .file(new MockMultipartFile("file", "t.csv", "text/csv", TABLE.getBytes(StandardCharsets.UTF_8)))
                .file(new MockMultipartFile("metadata", "", "application/json",
                        "{\"name\": \"t\", \"format\": {\"format\": \"csv\"}}".getBytes(StandardCharsets.UTF_8))));
        assertThat(noColumn.getStatus()).isEqualTo(422);
        assertThat(json(noColumn, "$.errors[0].field")).isEqualTo("format.labelColumn");

        MockHttpServletResponse badImages = uploadAny(post("/v1/datasets?name=&format=image-folder&height=0&width=x")
                .contentType(MediaType.APPLICATION_OCTET_STREAM).content(new byte[] {1}));
        assertThat(badImages.getStatus()).isEqualTo(422);
        assertThat(JsonPath.<List<String>>read(badImages.getContentAsString(), "$.errors[*].field"))
                .containsExactlyInAnyOrder("name", "height", "width");

        MockHttpServletResponse unknownKind = uploadAny(post("/v1/datasets?name=x&format=parquet")
                .contentType(MediaType.APPLICATION_OCTET_STREAM).content(new byte[] {1}));
        assertThat(json(unknownKind, "$.errors[0].field")).isEqualTo("format");

        MockHttpServletResponse noFile = uploadAny(multipart("/v1/datasets")
                .file(new MockMultipartFile("metadata", "", "application/json",
                        CSV_METADATA.getBytes(StandardCharsets.UTF_8))));
        assertThat(noFile.getStatus()).isEqualTo(422);
        assertThat(json(noFile, "$.errors[0].field")).isEqualTo("file");

        MockHttpServletResponse extraOption = uploadAny(multipart("/v1/datasets")
                .file(new MockMultipartFile("file", "t.csv", "text/csv", TABLE.getBytes(StandardCharsets.UTF_8)))
                .file(new MockMultipartFile("metadata", "", "application/json",
                        "{\"name\": \"t\", \"format\": {\"format\": \"idx\", \"layout\": \"NHWC\"}}"
                                .getBytes(StandardCharsets.UTF_8))));
        assertThat(json(extraOption, "$.errors[0].field")).isEqualTo("format.layout");
        assertNothingKept();
    }

    private MockHttpServletResponse uploadAny(
            org.springframework.test.web.servlet.RequestBuilder request) throws Exception {
        return api.any(request);
    }

    @Test
    void anUnreadableFileEndsFailedWithTheReadersReasonAndNoStoredData() throws Exception {
        String id = json(uploadMultipart("broken.csv", "1,2,0\n3,oops,1\n", CSV_METADATA, ""), "$.id");
        MockHttpServletResponse failed = awaitEnd(id);
        assertThat(json(failed, "$.state")).isEqualTo("FAILED");
        assertThat(json(failed, "$.failureReason")).isEqualTo("broken.csv: row 2, column 2: 'oops' is not a number");
        assertThat(blobs.open(id)).isEmpty();
        assertThat(filesUnder(UPLOADS)).isEmpty();
    }

    @Test
    void aFaultOfTheReaderEndsFailedToo() throws Exception {
        String id = json(uploadBinary("?name=x&format=npy", new byte[] {1, 2}), "$.id");
        MockHttpServletResponse failed = awaitEnd(id);
        assertThat(json(failed, "$.state")).isEqualTo("FAILED");
        assertThat(json(failed, "$.failureReason")).contains("server fault").doesNotContain("IllegalStateException");
        assertThat(blobs.open(id)).isEmpty();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(filesUnder(UPLOADS)).isEmpty());
    }

    @Test
    void anUnreadableFileWaitedForIsRefusedWithTheReasonAndNothingIsKept() throws Exception {
        MockHttpServletResponse refused = api.valid(post("/v1/datasets?name=x&format=csv&labelColumn=label&wait=true")
                .contentType(MediaType.APPLICATION_OCTET_STREAM).content("oops,1,0\n".getBytes(StandardCharsets.UTF_8)));
        assertThat(refused.getStatus()).isEqualTo(422);
        assertThat(json(refused, "$.type")).isEqualTo("urn:l0-sparsify:problem:dataset-invalid");
        assertThat(json(refused, "$.detail")).isEqualTo("upload.csv: row 1, column 1: 'oops' is not a number");
        assertNothingKept();
    }

    @Test
    void anUploadPastTheLimitIsRefusedAndNothingIsKept() throws Exception {
        byte[] large = new byte[LIMIT + 1];
        MockHttpServletResponse refused = uploadAny(post("/v1/datasets?name=x&format=csv&labelColumn=l")
                .contentType(MediaType.APPLICATION_OCTET_STREAM).content(large));
        assertThat(refused.getStatus()).isEqualTo(413);
        assertThat(refused.getContentType()).isEqualTo("application/problem+json");
        assertThat(json(refused, "$.type")).isEqualTo("urn:l0-sparsify:problem:payload-too-large");
        assertThat(uploadMultipart("t.csv", "x".repeat(LIMIT + 1), CSV_METADATA, "").getStatus()).isEqualTo(413);
        assertNothingKept();
    }

    @Test
    void overRealHttpBothKindsOfUploadPastTheLimitGet413ProblemsAndNothingIsKept() throws Exception {
        HttpClient client = HttpClient.newHttpClient();
        byte[] large = new byte[4 * LIMIT];
        String query = "?name=x&format=csv&labelColumn=l";
        HttpResponse<String> binary = exchange(client, HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/v1/datasets" + query))
                .header("Content-Type", "application/octet-stream")
                .header(TestKeys.AUTHORIZATION, TestKeys.adminBearer())
                .POST(HttpRequest.BodyPublishers.ofByteArray(large)).build(), query);
        assertThat(binary.statusCode()).isEqualTo(413);
        assertThat(binary.body()).contains("payload-too-large");

        String boundary = "l0boundary";
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"metadata\"\r\n"
                + "Content-Type: application/json\r\n\r\n" + CSV_METADATA + "\r\n--" + boundary
                + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.csv\"\r\n"
                + "Content-Type: text/csv\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.UTF_8);
        byte[] body = new byte[head.length + large.length + tail.length];
        System.arraycopy(head, 0, body, 0, head.length);
        System.arraycopy(tail, 0, body, head.length + large.length, tail.length);
        HttpResponse<String> multipart = exchange(client, HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/v1/datasets"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .header(TestKeys.AUTHORIZATION, TestKeys.adminBearer())
                .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), null);
        assertThat(multipart.statusCode()).isEqualTo(413);
        assertThat(multipart.body()).contains("payload-too-large");
        assertNothingKept();
    }

    @Test
    void overRealHttpAMultipartUploadIsAccepted() throws Exception {
        String boundary = "l0boundary";
        String body = "--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"t.csv\"\r\n"
                + "Content-Type: text/csv\r\n\r\n" + TABLE + "\r\n--" + boundary
                + "\r\nContent-Disposition: form-data; name=\"metadata\"\r\nContent-Type: application/json\r\n\r\n"
                + CSV_METADATA + "\r\n--" + boundary + "--\r\n";
        HttpResponse<String> response = exchange(HttpClient.newHttpClient(), HttpRequest.newBuilder(
                        URI.create("http://localhost:" + port + "/v1/datasets?wait=true"))
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .header(TestKeys.AUTHORIZATION, TestKeys.adminBearer())
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(), "?wait=true");
        assertThat(response.statusCode()).isEqualTo(201);
        assertThat(JsonPath.<String>read(response.body(), "$.state")).isEqualTo("READY");
        assertThat(JsonPath.<String>read(response.body(), "$.upload.sha256"))
                .isEqualTo(sha256(TABLE.getBytes(StandardCharsets.UTF_8)));
    }

    private static HttpResponse<String> exchange(HttpClient client, HttpRequest request, String query)
            throws Exception {
        HttpResponse<String> response = client.send(request, HttpResponse.BodyHandlers.ofString());
        OpenApiContract.Exchange exchange = new OpenApiContract.Exchange(request.method(), request.uri().getPath(),
                query == null ? null : query.substring(1), request.headers().firstValue("Content-Type").orElse(null),
                null, response.statusCode(), response.headers().firstValue("Content-Type").orElse(null),
                name -> response.headers().firstValue(name).orElse(null), response.body());
        assertThat(OpenApiContract.instance().requestViolations(exchange)).isEmpty();
        assertThat(OpenApiContract.instance().responseViolations(exchange)).isEmpty();
        return response;
    }

    @Test
    void unknownDatasetsAre404() throws Exception {
        MockHttpServletResponse missing = api.valid(get("/v1/datasets/nope"));
        assertThat(missing.getStatus()).isEqualTo(404);
        assertThat(json(missing, "$.type")).isEqualTo("urn:l0-sparsify:problem:dataset-not-found");
        assertThat(api.valid(delete("/v1/datasets/nope")).getStatus()).isEqualTo(404);
    }

    @Test
    void aDatasetQueuedOrRunningJobsReadCannotBeDeletedUntilTheyEnd() throws Exception {
        String id = json(uploadBinary("?name=t&format=csv&labelColumn=label&wait=true",
                TABLE.getBytes(StandardCharsets.UTF_8)), "$.id");
        TrainingOptions training = TrainingOptions.builder().optEpochs(1).optMaxRuntime(Duration.ofMinutes(5))
                .build();
        String user = jobs.insert(new JobDefinition("user", "mlp", Presets.MLP, DatasetRef.of("dataset:" + id), training), null, "alice")
                .id();
        // a job of another dataset whose id merely starts the same does not hold this one
        jobs.insert(new JobDefinition("other", "mlp", Presets.MLP, DatasetRef.of("dataset:" + id.substring(0, 8)), training), null, "alice");

        MockHttpServletResponse conflict = api.valid(delete("/v1/datasets/" + id));
        assertThat(conflict.getStatus()).isEqualTo(409);
        assertThat(json(conflict, "$.type")).isEqualTo("urn:l0-sparsify:problem:dataset-in-use");
        assertThat(JsonPath.<List<String>>read(conflict.getContentAsString(), "$.jobIds")).containsExactly(user);
        assertThat(blobs.open(id)).isPresent();

        assertThat(jobs.cancelQueued(user)).isTrue();
        assertThat(api.valid(delete("/v1/datasets/" + id)).getStatus()).isEqualTo(204);
        assertThat(api.valid(get("/v1/datasets/" + id)).getStatus()).isEqualTo(404);
        assertThat(blobs.open(id)).isEmpty();
    }

    @Test
    void aDatasetDeletedWhileItIsIngestedKeepsNothing() throws Exception {
        java.util.concurrent.CountDownLatch gate = reader.holdNext();
        MockHttpServletResponse accepted = uploadBinary("?name=slow&format=npz",
                TABLE.getBytes(StandardCharsets.UTF_8));
        String id = json(accepted, "$.id");
        assertThat(json(accepted, "$.state")).isEqualTo("INGESTING");
        assertThat(api.valid(delete("/v1/datasets/" + id)).getStatus()).isEqualTo(204);
        gate.countDown();
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> assertThat(filesUnder(UPLOADS)).isEmpty());
        assertThat(blobs.open(id)).as("the blob its ingestion stored went with it").isEmpty();
        assertThat(api.valid(get("/v1/datasets/" + id)).getStatus()).isEqualTo(404);
        assertNothingKept();
    }

    @Test
    void datasetsArePagedNewestFirstLikeJobs() throws Exception {
        String first = json(uploadBinary("?name=one&format=csv&labelColumn=label&wait=true",
                TABLE.getBytes(StandardCharsets.UTF_8)), "$.id");
        String second = json(uploadBinary("?name=two&format=csv&labelColumn=label&wait=true",
                TABLE.getBytes(StandardCharsets.UTF_8)), "$.id");
        String third = json(uploadBinary("?name=three&format=idx&wait=true",
                IMAGES.getBytes(StandardCharsets.UTF_8)), "$.id");
        MockHttpServletResponse page1 = api.valid(get("/v1/datasets?pageSize=2"));
        assertThat(JsonPath.<List<String>>read(page1.getContentAsString(), "$.items[*].id"))
                .containsExactly(third, second);
        String token = json(page1, "$.nextPageToken");
        MockHttpServletResponse page2 = api.valid(get("/v1/datasets?pageSize=2&pageToken=" + token));
        assertThat(JsonPath.<List<String>>read(page2.getContentAsString(), "$.items[*].id")).containsExactly(first);
        assertThat(json(page2, "$.nextPageToken")).isNull();
        MockHttpServletResponse ready = api.valid(get("/v1/datasets?state=READY&pageSize=100"));
        assertThat(JsonPath.<List<String>>read(ready.getContentAsString(), "$.items[*].id")).hasSize(3);

        MockHttpServletResponse badToken = api.valid(get("/v1/datasets?pageToken=bogus"));
        assertThat(badToken.getStatus()).isEqualTo(422);
        assertThat(json(badToken, "$.errors[0].field")).isEqualTo("pageToken");
        assertThat(api.any(get("/v1/datasets?state=GONE")).getStatus()).isEqualTo(422);
    }

    @Test
    void anUploadOfAnotherMediaTypeIs415() throws Exception {
        MockHttpServletResponse refused = api.any(post("/v1/datasets?name=x&format=csv&labelColumn=l")
                .contentType(MediaType.TEXT_PLAIN).content("1,2,3"));
        assertThat(refused.getStatus()).isEqualTo(415);
        assertThat(refused.getContentType()).isEqualTo("application/problem+json");
        assertThat(storedDatasets()).isZero();
    }
}
