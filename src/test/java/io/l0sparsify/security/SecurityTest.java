package io.l0sparsify.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.delete;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.multipart;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import com.jayway.jsonpath.JsonPath;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.l0sparsify.SettableClock;
import io.l0sparsify.api.ContractMvc;
import io.l0sparsify.dataset.TestDatasets;
import io.l0sparsify.testing.TestKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.NoSuchAlgorithmException;
import java.security.interfaces.RSAPrivateKey;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.mock.web.MockMultipartFile;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;
import org.springframework.test.web.servlet.request.MockHttpServletRequestBuilder;

/**
 * Who may do what, over the whole filter chain and every controller: principals (the owner, another user, an
 * admin, no credentials, a revoked key, an expired JWT, a JWT signed by a key other than the issuer's, a valid JWT)
 * against the operations on jobs, datasets, models, keys and the actuator; quotas and the submission rate reached
 * and recovered; the audit lines. Every exchange is checked against openapi.yaml.
 */
@SpringBootTest(properties = {"spring.datasource.url=jdbc:h2:mem:security;DB_CLOSE_DELAY=-1",
        "l0.worker.enabled=false", "l0.quotas.max-active-jobs=2", "l0.quotas.submits-per-minute=3",
        "l0.quotas.max-stored-bytes=8000B", "l0.quotas.retry-after=PT30S"})
@AutoConfigureMockMvc
@Import(SettableClock.InContext.class)
@ExtendWith(OutputCaptureExtension.class)
class SecurityTest {

    private static final Path DATASETS = TestDatasets.withMnist();
    private static final KeyPair ISSUER = rsa();
    private static final KeyPair STRANGER = rsa();
    private static final Path MODELS = Path.of("src/test/resources/models");
    private static final String JOB = """
            {"model": {"inputShape": [784], "layers": [{"type": "dense", "units": 8}, {"type": "relu"},
             {"type": "dense", "units": 10}]}, "dataset": {"uri": "%s"}, "training": {"epochs": 1}}""";
    private static final String TABLE = "f1,f2,label\n1,10,0\n3,20,1\n5,30,1\n7,40,0\n2,11,0\n4,21,1\n";

    @DynamicPropertySource
    static void paths(DynamicPropertyRegistry registry) throws Exception {
        Path root = DATASETS.getParent().resolve("security");
        Files.createDirectories(root);
        Path publicKey = root.resolve("issuer.pem");
        Files.writeString(publicKey, "-----BEGIN PUBLIC KEY-----\n" + Base64.getMimeEncoder()
                .encodeToString(ISSUER.getPublic().getEncoded()) + "\n-----END PUBLIC KEY-----\n");
        registry.add("spring.security.oauth2.resourceserver.jwt.public-key-location", () -> "file:" + publicKey);
        registry.add("l0.datasets.dir", DATASETS::toString);
        registry.add("l0.storage.dir", () -> root.resolve("artifacts").toString());
        registry.add("l0.datasets.upload.dir", () -> root.resolve("uploads").toString());
        registry.add("l0.models.upload-dir", () -> root.resolve("model-uploads").toString());
    }

    @Autowired
    MockMvc mockMvc;

    @Autowired
    JdbcClient jdbc;

    @Autowired
    SettableClock clock;

    private ContractMvc admin;
    private String alice;
    private String bob;
    private String revoked;

    @BeforeEach
    void setUp() throws Exception {
        for (String table : List.of("job", "dataset", "uploaded_model", "api_key")) {
            jdbc.sql("delete from " + table).update();
        }
        // a fresh minute: every principal's submission rate is full again
        clock.advance(Duration.ofMinutes(5));
        admin = new ContractMvc(mockMvc);
        alice = bearer(JsonPath.read(createKey("alice"), "$.key"));
        bob = bearer(JsonPath.read(createKey("bob"), "$.key"));
        String mallory = createKey("mallory");
        assertThat(admin.valid(delete("/v1/keys/" + JsonPath.read(mallory, "$.id"))).getStatus()).isEqualTo(204);
        revoked = bearer(JsonPath.read(mallory, "$.key"));
    }

    /** A user key for {@code name}: the answer that created it. */
    private String createKey(String name) throws Exception {
        MockHttpServletResponse created = admin.valid(post("/v1/keys").contentType(MediaType.APPLICATION_JSON)
                .content("{\"name\": \"" + name + "\", \"role\": \"user\"}"));
        assertThat(created.getStatus()).as(created.getContentAsString()).isEqualTo(201);
        return created.getContentAsString();
    }

    private static String bearer(String key) {
        return TestKeys.bearer(key);
    }

    private ContractMvc as(String authorization) {
        return admin.as(authorization);
    }

    private String submit(String authorization, String datasetUri) throws Exception {
        MockHttpServletResponse response = as(authorization).valid(post("/v1/jobs")
                .contentType(MediaType.APPLICATION_JSON).content(JOB.formatted(datasetUri)));
        assertThat(response.getStatus()).as(response.getContentAsString()).isEqualTo(202);
        return JsonPath.read(response.getContentAsString(), "$.id");
    }

    private String uploadDataset(String authorization) throws Exception {
        MockHttpServletResponse response = as(authorization).valid(multipart("/v1/datasets?wait=true")
                .file(new MockMultipartFile("file", "t.csv", "text/csv", TABLE.getBytes(StandardCharsets.UTF_8)))
                .file(new MockMultipartFile("metadata", "", "application/json",
                        "{\"name\": \"t\", \"format\": {\"format\": \"csv\", \"labelColumn\": \"label\"}}"
                                .getBytes(StandardCharsets.UTF_8))));
        assertThat(response.getStatus()).as(response.getContentAsString()).isEqualTo(201);
        return JsonPath.read(response.getContentAsString(), "$.id");
    }

    private MockHttpServletResponse uploadModel(String authorization, String file) throws Exception {
        return as(authorization).valid(post("/v1/models?name=" + file).contentType(MediaType.APPLICATION_OCTET_STREAM)
                .content(Files.readAllBytes(MODELS.resolve(file + ".onnx"))));
    }

    /** The principals that must not get in, with the reason each one's token is refused. */
    private Map<String, String> refusedCallers() throws Exception {
        Instant now = Instant.now();
        return Map.of(
                "no credentials", "",
                "revoked key", revoked,
                "unknown key", bearer("l0k_" + "A".repeat(43)),
                "expired JWT", bearer(jwt(ISSUER, "alice", now.minus(Duration.ofHours(1)), "")),
                "JWT signed by another key", bearer(jwt(STRANGER, "alice", now.plus(Duration.ofHours(1)), "")),
                "not a bearer token", "Basic YWxpY2U6c2VjcmV0");
    }

    @Test
    void everyOperationOnAJobAnswersItsOwnerAndAdminsAndIsNotFoundForOthersAndRefusedWithoutValidCredentials()
            throws Exception {
        String job = submit(alice, "builtin:mnist");
        List<MockHttpServletRequestBuilder> operations = List.of(get("/v1/jobs/" + job),
                get("/v1/jobs/" + job + "/result"), get("/v1/jobs/" + job + "/artifacts"),
                get("/v1/jobs/" + job + "/artifacts/model.onnx"), get("/v1/jobs/" + job + "/events"),
                post("/v1/jobs/" + job + "/stop"));
        for (MockHttpServletRequestBuilder operation : operations) {
            String what = operation.buildRequest(null).getMethod() + " " + operation.buildRequest(null)
                    .getRequestURI();
            for (String owner : List.of(alice, TestKeys.adminBearer())) {
                // the owner and an admin reach the job: what they get is the job's own answer, never 404 for it
                MockHttpServletResponse answer = as(owner).any(operation);
                assertThat(answer.getStatus()).as(what).isIn(200, 409, 404);
                if (answer.getStatus() == 404) {
                    assertThat(answer.getContentAsString()).as(what).contains("artifact-not-found");
                }
            }
            MockHttpServletResponse foreign = as(bob).any(operation);
            assertThat(foreign.getStatus()).as(what).isEqualTo(404);
            assertThat(foreign.getContentAsString()).as(what).contains("urn:l0-sparsify:problem:job-not-found");
            for (Map.Entry<String, String> refused : refusedCallers().entrySet()) {
                assertUnauthorized(as(refused.getValue().isEmpty() ? null : refused.getValue()).any(operation),
                        what + " with " + refused.getKey());
            }
        }
        // cancel last: it ends the job
        assertThat(as(bob).any(post("/v1/jobs/" + job + "/cancel")).getStatus()).isEqualTo(404);
        assertUnauthorized(as(revoked).any(post("/v1/jobs/" + job + "/cancel")), "cancel with a revoked key");
        assertThat(as(alice).valid(post("/v1/jobs/" + job + "/cancel")).getStatus()).isEqualTo(200);
    }

    @Test
    void listsShowACallerItsOwnJobsDatasetsAndModelsAndAnAdminAll() throws Exception {
        String alicesJob = submit(alice, "builtin:mnist");
        String bobsJob = submit(bob, "builtin:mnist");
        String alicesDataset = uploadDataset(alice);
        String bobsModel = JsonPath.read(uploadModel(bob, "mlp_matmul_add").getContentAsString(), "$.id");

        assertThat(ids(as(alice), "/v1/jobs")).containsExactly(alicesJob);
        assertThat(ids(as(bob), "/v1/jobs")).containsExactly(bobsJob);
        assertThat(ids(admin, "/v1/jobs")).containsExactlyInAnyOrder(alicesJob, bobsJob);
        assertThat(ids(as(alice), "/v1/datasets")).containsExactly(alicesDataset);
        assertThat(ids(as(bob), "/v1/datasets")).isEmpty();
        assertThat(ids(admin, "/v1/datasets")).containsExactly(alicesDataset);
        assertThat(ids(as(alice), "/v1/models")).isEmpty();
        assertThat(ids(as(bob), "/v1/models")).containsExactly(bobsModel);
        assertThat(ids(admin, "/v1/models")).containsExactly(bobsModel);
        assertThat(JsonPath.<String>read(admin.valid(get("/v1/jobs/" + bobsJob)).getContentAsString(), "$.owner"))
                .isEqualTo("bob");
        // builtin datasets and presets are everyone's
        assertThat(as(bob).valid(get("/v1/datasets/builtin")).getStatus()).isEqualTo(200);
        assertThat(as(bob).valid(get("/v1/presets")).getStatus()).isEqualTo(200);
    }

    private static List<String> ids(ContractMvc api, String path) throws Exception {
        return JsonPath.read(api.valid(get(path)).getContentAsString(), "$.items[*].id");
    }

    @Test
    void anotherPrincipalsDatasetAndModelDoNotExistForAUserButDoForAnAdmin() throws Exception {
        String dataset = uploadDataset(alice);
        String model = JsonPath.read(uploadModel(alice, "mlp_matmul_add").getContentAsString(), "$.id");
        for (MockHttpServletRequestBuilder operation : List.of(get("/v1/datasets/" + dataset),
                get("/v1/models/" + model), get("/v1/models/" + model + "/onnx"))) {
            assertThat(as(alice).any(operation).getStatus()).isEqualTo(200);
            assertThat(admin.any(operation).getStatus()).isEqualTo(200);
            MockHttpServletResponse foreign = as(bob).any(operation);
            assertThat(foreign.getStatus()).isEqualTo(404);
            assertThat(foreign.getContentAsString()).containsAnyOf("dataset-not-found", "model-not-found");
            for (Map.Entry<String, String> refused : refusedCallers().entrySet()) {
                assertUnauthorized(as(refused.getValue().isEmpty() ? null : refused.getValue()).any(operation),
                        refused.getKey());
            }
        }
        assertThat(as(bob).any(delete("/v1/datasets/" + dataset)).getStatus()).isEqualTo(404);
        assertThat(as(bob).any(delete("/v1/models/" + model)).getStatus()).isEqualTo(404);
        assertThat(as(alice).valid(get("/v1/datasets/" + dataset)).getStatus()).isEqualTo(200);
        assertThat(admin.valid(delete("/v1/models/" + model)).getStatus()).isEqualTo(204);
        assertThat(as(alice).valid(delete("/v1/datasets/" + dataset)).getStatus()).isEqualTo(204);
    }

    @Test
    void aJobNamingAnotherPrincipalsDatasetIsRefusedAsIfTheDatasetDidNotExist() throws Exception {
        String dataset = uploadDataset(alice);
        String missing = "00000000-0000-4000-8000-000000000000";
        MockHttpServletResponse foreign = as(bob).valid(post("/v1/jobs").contentType(MediaType.APPLICATION_JSON)
                .content(JOB.formatted("dataset:" + dataset)));
        MockHttpServletResponse absent = as(bob).valid(post("/v1/jobs").contentType(MediaType.APPLICATION_JSON)
                .content(JOB.formatted("dataset:" + missing)));
        assertThat(foreign.getStatus()).isEqualTo(422);
        assertThat(foreign.getContentAsString().replace(dataset, missing)).isEqualTo(absent.getContentAsString());
        assertThat(foreign.getContentAsString()).contains("no uploaded dataset has the id");
        // the owner's own reference reaches the dataset (and is checked against the model: 2 features, not 784)
        MockHttpServletResponse own = as(alice).any(post("/v1/jobs").contentType(MediaType.APPLICATION_JSON)
                .content(JOB.formatted("dataset:" + dataset)));
        assertThat(own.getContentAsString()).doesNotContain("no uploaded dataset").contains("model.inputShape");
        assertThat(jdbc.sql("select count(*) from job").query(Long.class).single()).isZero();
    }

    @Test
    void anIdempotencyKeyOfAnotherPrincipalNeitherReplaysNorRevealsItsJob() throws Exception {
        MockHttpServletResponse first = as(alice).valid(post("/v1/jobs").contentType(MediaType.APPLICATION_JSON)
                .header("Idempotency-Key", "same").content(JOB.formatted("builtin:mnist")));
        MockHttpServletResponse other = as(bob).valid(post("/v1/jobs").contentType(MediaType.APPLICATION_JSON)
                .header("Idempotency-Key", "same").content(JOB.formatted("builtin:mnist")));
        assertThat(other.getHeader("Idempotent-Replayed")).isEqualTo("false");
        assertThat(JsonPath.<String>read(other.getContentAsString(), "$.id"))
                .isNotEqualTo(JsonPath.read(first.getContentAsString(), "$.id"));
    }

    @Test
    void withoutValidCredentialsEveryApiOperationIs401WithABearerChallenge() throws Exception {
        for (Map.Entry<String, String> refused : refusedCallers().entrySet()) {
            ContractMvc caller = as(refused.getValue().isEmpty() ? null : refused.getValue());
            for (MockHttpServletRequestBuilder operation : List.of(get("/v1/jobs"), get("/v1/presets"),
                    get("/v1/datasets"), get("/v1/datasets/builtin"), get("/v1/models"), get("/v1/keys"),
                    post("/v1/jobs").contentType(MediaType.APPLICATION_JSON).content(JOB.formatted("builtin:mnist")),
                    get("/actuator/prometheus"), get("/actuator/metrics"))) {
                assertUnauthorized(caller.any(operation), refused.getKey());
            }
            MockHttpServletResponse answer = caller.any(get("/v1/jobs"));
            assertThat(answer.getHeader("WWW-Authenticate")).as(refused.getKey())
                    .isEqualTo(refused.getKey().equals("no credentials") || refused.getKey().equals("not a bearer token")
                            ? "Bearer" : "Bearer error=\"invalid_token\"");
        }
        assertThat(jdbc.sql("select count(*) from job").query(Long.class).single()).isZero();
    }

    private static void assertUnauthorized(MockHttpServletResponse response, String as) throws Exception {
        assertThat(response.getStatus()).as(as).isEqualTo(401);
        assertThat(response.getContentType()).as(as).startsWith("application/problem+json");
        assertThat(response.getHeader("WWW-Authenticate")).as(as).startsWith("Bearer");
        assertThat(response.getContentAsString()).as(as).contains("urn:l0-sparsify:problem:unauthorized");
    }

    @Test
    void aJwtOfTheIssuerAuthenticatesItsSubjectAndItsAdminScopeMakesAnAdmin() throws Exception {
        Instant later = Instant.now().plus(Duration.ofMinutes(10));
        ContractMvc carol = as(bearer(jwt(ISSUER, "carol@example.org", later, "openid")));
        String job = submit(bearer(jwt(ISSUER, "carol@example.org", later, "")), "builtin:mnist");
        assertThat(JsonPath.<String>read(carol.valid(get("/v1/jobs/" + job)).getContentAsString(), "$.owner"))
                .isEqualTo("carol@example.org");
        assertThat(as(alice).any(get("/v1/jobs/" + job)).getStatus()).isEqualTo(404);
        MockHttpServletResponse forbidden = carol.any(get("/v1/keys"));
        assertThat(forbidden.getStatus()).isEqualTo(403);
        assertThat(forbidden.getContentAsString()).contains("urn:l0-sparsify:problem:forbidden");

        ContractMvc operator = as(bearer(jwt(ISSUER, "operator", later, "openid l0.admin")));
        assertThat(operator.valid(get("/v1/keys")).getStatus()).isEqualTo(200);
        assertThat(operator.valid(get("/v1/jobs/" + job)).getStatus()).isEqualTo(200);
        ContractMvc byRole = as(bearer(jwt(ISSUER, "ops2", later, null, Map.of("roles", List.of("admin")))));
        assertThat(byRole.valid(get("/v1/keys")).getStatus()).isEqualTo(200);
    }

    @Test
    void aPrincipalHasOneRoleSoNoUserKeyOrTokenActsAsAnAdminsName() throws Exception {
        // ownership goes by the principal's name: a user named like an admin would see what that admin created
        for (String body : List.of("{\"name\": \"admin\"}", "{\"name\": \"alice\", \"role\": \"admin\"}")) {
            MockHttpServletResponse refused = admin.any(post("/v1/keys").contentType(MediaType.APPLICATION_JSON)
                    .content(body));
            assertThat(refused.getStatus()).as(body).isEqualTo(422);
            assertThat(JsonPath.<List<String>>read(refused.getContentAsString(), "$.errors[*].field")).as(body)
                    .containsExactly("name");
        }
        String ops = JsonPath.read(admin.valid(post("/v1/keys").contentType(MediaType.APPLICATION_JSON)
                .content("{\"name\": \"ops\", \"role\": \"admin\"}")).getContentAsString(), "$.key");
        String job = submit(bearer(ops), "builtin:mnist");
        Instant later = Instant.now().plus(Duration.ofMinutes(10));
        for (String subject : List.of("admin", "ops")) {
            assertUnauthorized(as(bearer(jwt(ISSUER, subject, later, "openid"))).any(get("/v1/jobs/" + job)),
                    "a user's JWT with subject " + subject);
        }
        // the same subject with the admin scope is that admin
        assertThat(as(bearer(jwt(ISSUER, "ops", later, "openid l0.admin"))).valid(get("/v1/jobs/" + job)).getStatus())
                .isEqualTo(200);
    }

    @Test
    void keysAreForAdminsShownOnceAndARevokedKeyStopsAtOnce() throws Exception {
        MockHttpServletResponse forbidden = as(alice).any(post("/v1/keys").contentType(MediaType.APPLICATION_JSON)
                .content("{\"name\": \"eve\", \"role\": \"admin\"}"));
        assertThat(forbidden.getStatus()).isEqualTo(403);
        assertThat(as(alice).any(get("/v1/keys")).getStatus()).isEqualTo(403);

        MockHttpServletResponse created = admin.valid(post("/v1/keys").contentType(MediaType.APPLICATION_JSON)
                .content("{\"name\": \"dave\"}"));
        String key = JsonPath.read(created.getContentAsString(), "$.key");
        String id = JsonPath.read(created.getContentAsString(), "$.id");
        assertThat(JsonPath.<String>read(created.getContentAsString(), "$.role")).isEqualTo("user");
        assertThat(admin.valid(get("/v1/keys")).getContentAsString()).doesNotContain(key).contains(id);
        assertThat(jdbc.sql("select count(*) from api_key where key_hash = :k").param("k", key).query(Long.class)
                .single()).as("only the hash is stored").isZero();
        ContractMvc dave = as(bearer(key));
        assertThat(dave.valid(get("/v1/jobs")).getStatus()).isEqualTo(200);
        assertThat(JsonPath.<String>read(admin.valid(get("/v1/keys/" + id)).getContentAsString(), "$.lastUsedAt"))
                .isNotNull();
        assertThat(admin.valid(delete("/v1/keys/" + id)).getStatus()).isEqualTo(204);
        assertUnauthorized(dave.any(get("/v1/jobs")), "revoked");
        assertThat(JsonPath.<String>read(admin.valid(get("/v1/keys/" + id)).getContentAsString(), "$.revokedAt"))
                .isNotNull();
        assertThat(admin.valid(get("/v1/keys/nope")).getStatus()).isEqualTo(404);
        MockHttpServletResponse invalid = admin.any(post("/v1/keys").contentType(MediaType.APPLICATION_JSON)
                .content("{\"name\": \"x y\", \"role\": \"root\"}"));
        assertThat(invalid.getStatus()).isEqualTo(422);
        assertThat(JsonPath.<List<String>>read(invalid.getContentAsString(), "$.errors[*].field"))
                .containsExactlyInAnyOrder("name", "role");
    }

    @Test
    void probesContractAndConsoleAreReadableWithoutAKeyAndMetricsNeedAnAdmin() throws Exception {
        ContractMvc anonymous = as(null);
        assertThat(anonymous.valid(get("/actuator/health/liveness")).getStatus()).isEqualTo(200);
        assertThat(anonymous.any(get("/actuator/health/readiness")).getStatus()).isIn(200, 503);
        assertThat(anonymous.valid(get("/openapi.yaml")).getStatus()).isEqualTo(200);
        for (String path : List.of("/swagger-ui/index.html", "/", "/index.html", "/console/app.js",
                "/assets/x.css", "/webjars/y.js")) {
            assertThat(mockMvc.perform(get(path)).andReturn().getResponse().getStatus()).as(path)
                    .isNotIn(401, 403);
        }
        MockHttpServletResponse userMetrics = as(alice).any(get("/actuator/prometheus"));
        assertThat(userMetrics.getStatus()).isEqualTo(403);
        assertThat(userMetrics.getContentAsString()).contains("urn:l0-sparsify:problem:forbidden");
        assertThat(admin.valid(get("/actuator/prometheus")).getStatus()).isEqualTo(200);
        assertThat(as(alice).any(get("/actuator/metrics")).getStatus()).isEqualTo(403);
    }

    @Test
    void theQueuedAndRunningJobsOfAPrincipalAreCappedAndFreedByFinishingOne() throws Exception {
        String first = submit(alice, "builtin:mnist");
        MockHttpServletResponse second = as(alice).valid(post("/v1/jobs").contentType(MediaType.APPLICATION_JSON)
                .header("Idempotency-Key", "retry-me").content(JOB.formatted("builtin:mnist")));
        assertThat(second.getStatus()).isEqualTo(202);
        // at the limit, a retry of an accepted submission is still answered with its job
        MockHttpServletResponse retried = as(alice).valid(post("/v1/jobs").contentType(MediaType.APPLICATION_JSON)
                .header("Idempotency-Key", "retry-me").content(JOB.formatted("builtin:mnist")));
        assertThat(retried.getStatus()).isEqualTo(202);
        assertThat(retried.getHeader("Idempotent-Replayed")).isEqualTo("true");
        clock.advance(Duration.ofMinutes(1));
        MockHttpServletResponse refused = as(alice).valid(post("/v1/jobs").contentType(MediaType.APPLICATION_JSON)
                .content(JOB.formatted("builtin:mnist")));
        assertThat(refused.getStatus()).isEqualTo(429);
        assertThat(refused.getHeader("Retry-After")).isEqualTo("30");
        assertThat(refused.getContentAsString()).contains("urn:l0-sparsify:problem:quota-exceeded")
                .contains("\"limit\":\"active-jobs\"");
        assertThat(jdbc.sql("select count(*) from job").query(Long.class).single()).isEqualTo(2);
        // another principal is not held back by alice's jobs, nor is an admin
        submit(bob, "builtin:mnist");
        submit(TestKeys.adminBearer(), "builtin:mnist");
        submit(TestKeys.adminBearer(), "builtin:mnist");
        submit(TestKeys.adminBearer(), "builtin:mnist");

        as(alice).valid(post("/v1/jobs/" + first + "/cancel"));
        clock.advance(Duration.ofMinutes(1));
        submit(alice, "builtin:mnist");
    }

    @Test
    void submissionsPastTheRateAreRefusedUntilTheBucketRefills() throws Exception {
        for (int i = 0; i < 3; i++) {
            String job = submit(bob, "builtin:mnist");
            as(bob).valid(post("/v1/jobs/" + job + "/cancel"));
        }
        MockHttpServletResponse refused = as(bob).valid(post("/v1/jobs").contentType(MediaType.APPLICATION_JSON)
                .content(JOB.formatted("builtin:mnist")));
        assertThat(refused.getStatus()).isEqualTo(429);
        // 3 per minute: one more every 20 s
        assertThat(refused.getHeader("Retry-After")).isEqualTo("20");
        assertThat(refused.getContentAsString()).contains("urn:l0-sparsify:problem:rate-limited");
        clock.advance(Duration.ofSeconds(19));
        assertThat(as(bob).valid(post("/v1/jobs").contentType(MediaType.APPLICATION_JSON)
                .content(JOB.formatted("builtin:mnist"))).getStatus()).isEqualTo(429);
        clock.advance(Duration.ofSeconds(21));
        submit(bob, "builtin:mnist");
    }

    @Test
    void anUploadPastTheStorageQuotaIsRefusedAndLeavesNothingBehind() throws Exception {
        assertThat(uploadModel(alice, "mlp_gemm").getStatus()).isEqualTo(201);
        long rows = jdbc.sql("select count(*) from uploaded_model").query(Long.class).single();
        MockHttpServletResponse refused = uploadModel(alice, "mlp_matmul_add");
        assertThat(refused.getStatus()).as(refused.getContentAsString()).isEqualTo(429);
        assertThat(refused.getHeader("Retry-After")).isEqualTo("30");
        assertThat(refused.getContentAsString()).contains("\"limit\":\"stored-bytes\"");
        assertThat(jdbc.sql("select count(*) from uploaded_model").query(Long.class).single()).isEqualTo(rows);
        assertThat(files(DATASETS.getParent().resolve("security/model-uploads"))).isEmpty();
        MockHttpServletResponse dataset = as(alice).valid(post("/v1/datasets?name=big&format=csv&labelColumn=label")
                .contentType(MediaType.APPLICATION_OCTET_STREAM).content(new byte[3000]));
        assertThat(dataset.getStatus()).isEqualTo(429);
        assertThat(jdbc.sql("select count(*) from dataset").query(Long.class).single()).isZero();
        assertThat(files(DATASETS.getParent().resolve("security/uploads"))).isEmpty();
        // bob's storage is his own; deleting frees alice's
        assertThat(uploadModel(bob, "mlp_matmul_add").getStatus()).isEqualTo(201);
        String stored = ids(as(alice), "/v1/models").get(0);
        as(alice).valid(delete("/v1/models/" + stored));
        assertThat(uploadModel(alice, "mlp_matmul_add").getStatus()).isEqualTo(201);
    }

    @Test
    void aCompressedUploadWhoseStoredFormBreaksTheStorageQuotaEndsFailedAndKeepsNothing() throws Exception {
        // 530 bytes uploaded, 60 kB stored: the quota of 8000 B admits the upload but not what it becomes
        byte[] npz = Files.readAllBytes(Path.of("src/test/resources/datasets/quota/expands_3000x4_float32.npz"));
        // a client that waits hears the ingestion's reason, as for any upload that ends FAILED, and keeps nothing
        MockHttpServletResponse ended = as(alice).valid(post("/v1/datasets?name=zeros&format=npz&wait=true")
                .contentType(MediaType.APPLICATION_OCTET_STREAM).content(npz));
        assertThat(ended.getStatus()).isEqualTo(422);
        assertThat(JsonPath.<String>read(ended.getContentAsString(), "$.detail"))
                .contains("stored form takes 60085 bytes", "l0.quotas.max-stored-bytes");
        assertThat(files(DATASETS.getParent().resolve("security/uploads"))).isEmpty();
        assertThat(jdbc.sql("select count(*) from dataset where state = 'READY'").query(Long.class).single()).isZero();
        // the same upload by an admin, exempt from quotas, is kept
        MockHttpServletResponse kept = admin.valid(post("/v1/datasets?name=zeros&format=npz&wait=true")
                .contentType(MediaType.APPLICATION_OCTET_STREAM).content(npz));
        assertThat(JsonPath.<String>read(kept.getContentAsString(), "$.state")).isEqualTo("READY");
        assertThat(JsonPath.<Integer>read(kept.getContentAsString(), "$.stored.sizeBytes")).isGreaterThan(8000);
    }

    private static List<Path> files(Path dir) throws Exception {
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> all = Files.walk(dir)) {
            return all.filter(Files::isRegularFile).toList();
        }
    }

    @Test
    void everyChangeLeavesAnAuditLine(CapturedOutput output) throws Exception {
        String job = submit(alice, "builtin:mnist");
        as(bob).any(post("/v1/jobs/" + job + "/cancel"));
        as(alice).valid(post("/v1/jobs/" + job + "/stop"));
        as(alice).valid(post("/v1/jobs/" + job + "/cancel"));
        String model = JsonPath.read(uploadModel(alice, "mlp_matmul_add").getContentAsString(), "$.id");
        admin.valid(delete("/v1/models/" + model));
        String dataset = uploadDataset(bob);
        as(bob).valid(delete("/v1/datasets/" + dataset));
        String created = JsonPath.read(admin.valid(post("/v1/keys").contentType(MediaType.APPLICATION_JSON)
                .content("{\"name\": \"frank\"}")).getContentAsString(), "$.id");
        admin.valid(delete("/v1/keys/" + created));

        Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(output.getOut()).contains(
                "principal=alice admin=false action=job.submit resource=job:" + job + " outcome=accepted",
                "principal=bob admin=false action=job.cancel resource=job:" + job + " outcome=not-found",
                "principal=alice admin=false action=job.stop resource=job:" + job + " outcome=conflict",
                "principal=alice admin=false action=job.cancel resource=job:" + job + " outcome=cancelled",
                "action=model.upload resource=model:" + model + " outcome=created",
                "principal=admin admin=true action=model.delete resource=model:" + model + " outcome=deleted",
                "principal=bob admin=false action=dataset.upload resource=dataset:" + dataset + " outcome=accepted",
                "action=dataset.delete resource=dataset:" + dataset + " outcome=deleted",
                "action=key.create resource=key:" + created + " outcome=created",
                "action=key.revoke resource=key:" + created + " outcome=revoked"));
        assertThat(output.getOut()).contains(" audit ");
    }

    private static String jwt(KeyPair keys, String subject, Instant expires, String scope) throws JOSEException {
        return jwt(keys, subject, expires, scope, Map.of());
    }

    private static String jwt(KeyPair keys, String subject, Instant expires, String scope, Map<String, Object> claims)
            throws JOSEException {
        JWTClaimsSet.Builder set = new JWTClaimsSet.Builder().subject(subject)
                .issueTime(Date.from(expires.minus(Duration.ofHours(2)))).expirationTime(Date.from(expires));
        if (scope != null) {
            set.claim("scope", scope);
        }
        claims.forEach(set::claim);
        SignedJWT token = new SignedJWT(new JWSHeader(JWSAlgorithm.RS256), set.build());
        token.sign(new RSASSASigner((RSAPrivateKey) keys.getPrivate()));
        return token.serialize();
    }

    private static KeyPair rsa() {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("RSA");
            generator.initialize(2048);
            return generator.generateKeyPair();
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
