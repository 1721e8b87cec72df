package io.l0sparsify.e2e;

import io.l0sparsify.testing.TestKeys;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.l0sparsify.L0SparsifyApplication;
import io.l0sparsify.dataset.TestDatasets;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * The whole application started in each role: an API process has no worker, a worker process has no API
 * (only the actuator answers on its port).
 */
class RolesTest {

    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private static ConfigurableApplicationContext start(String role, String database) {
        Path datasets = TestDatasets.withMnist();
        return new SpringApplicationBuilder(L0SparsifyApplication.class).run("--server.port=0", "--l0.role=" + role,
                "--spring.datasource.url=jdbc:h2:mem:" + database + ";DB_CLOSE_DELAY=-1",
                "--l0.datasets.dir=" + datasets, "--l0.storage.dir=" + datasets.getParent().resolve("artifacts"),
                "--l0.worker.device=cpu");
    }

    private static int port(ConfigurableApplicationContext context) {
        return ((WebServerApplicationContext) context).getWebServer().getPort();
    }

    private static int status(ConfigurableApplicationContext context, String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:" + port(context) + path))
                .header(TestKeys.AUTHORIZATION, TestKeys.adminBearer()).build(),
                HttpResponse.BodyHandlers.discarding()).statusCode();
    }

    @Test
    void anApiProcessServesTheApiAndRunsNoWorker() throws Exception {
        try (ConfigurableApplicationContext api = start("api", "role-api")) {
            assertThat(api.containsBean("jobController")).isTrue();
            assertThat(api.containsBean("jobWorker")).isFalse();
            assertThat(api.containsBean("jobRunner")).isFalse();
            assertThat(status(api, "/v1/presets")).isEqualTo(200);
            assertThat(status(api, "/actuator/health/readiness")).isEqualTo(200);
            ContractHttp http = new ContractHttp(port(api));
            ContractHttp.Response submitted = http.post("/v1/jobs", EndToEndTest.mlpJob(1));
            assertThat(submitted.status()).isEqualTo(202);
            String id = EndToEndTest.field(submitted, "$.id");
            await("job " + id + " to stay QUEUED: nobody here trains it").during(Duration.ofMillis(500))
                    .atMost(Duration.ofSeconds(5))
                    .until(() -> EndToEndTest.field(http.get("/v1/jobs/" + id), "$.state"), "QUEUED"::equals);
        }
    }

    @Test
    void aWorkerProcessRunsTheWorkerAndServesOnlyTheActuator() throws Exception {
        try (ConfigurableApplicationContext worker = start("worker", "role-worker")) {
            assertThat(worker.containsBean("jobWorker")).isTrue();
            assertThat(worker.containsBean("jobController")).isFalse();
            assertThat(worker.containsBean("catalogController")).isFalse();
            assertThat(status(worker, "/v1/presets")).isEqualTo(404);
            assertThat(status(worker, "/v1/jobs")).isEqualTo(404);
            assertThat(status(worker, "/openapi.yaml")).isEqualTo(404);
            assertThat(status(worker, "/swagger-ui/index.html")).isEqualTo(404);
            assertThat(status(worker, "/actuator/health/readiness")).isEqualTo(200);
            assertThat(status(worker, "/actuator/prometheus")).isEqualTo(200);
            // refused by Tomcat before the worker's filter: the same problem+json as an API process gives
            for (String hostile : List.of("/v1/jobs/%2e%2e%2f%2e%2e%2fetc", "/actuator/..%2f..%2fetc%2fpasswd")) {
                HttpResponse<String> refused = HTTP.send(HttpRequest.newBuilder(URI.create("http://localhost:"
                        + port(worker) + hostile)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(refused.statusCode()).as(hostile).isEqualTo(400);
                assertThat(refused.headers().firstValue("Content-Type")).as(hostile)
                        .hasValueSatisfying(type -> assertThat(type).startsWith("application/problem+json"));
                assertThat(refused.body()).as(hostile).contains("urn:l0-sparsify:problem:bad-request")
                        .doesNotContain("passwd").doesNotContainIgnoringCase("<html");
            }
            assertThat(status(worker, "/actuator/metrics/no.such.metric")).isEqualTo(404);
        }
    }
}
