package io.l0sparsify.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.jayway.jsonpath.JsonPath;
import io.l0sparsify.dataset.TestDatasets;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.Test;

/**
 * The embedded database on a small tmpfs that runs full: a submit the database could not keep is answered 503
 * (never 202) and readiness is DOWN, and once space returns the service recovers by itself, with every job it
 * acknowledged still there and none that it refused. Needs permission to mount a tmpfs (root on Linux); skipped
 * where the machine does not allow it.
 */
class FullDiskTest {

    private static final int MAX_SUBMITS = 200;

    @Test
    void aFullDiskIsAnswered503AndTheServiceRecoversWithEveryAcknowledgedJob() throws Exception {
        Path datasets = TestDatasets.withMnist();
        Path base = datasets.getParent();
        Path disk = base.resolve("small-disk");
        Files.createDirectories(disk);
        assumeTrue(run("mount", "-t", "tmpfs", "-o", "size=16m", "tmpfs", disk.toString()),
                "this machine does not let the test mount a tmpfs");
        Path filler = disk.resolve("filler");
        List<String> args = List.of("--spring.datasource.url=jdbc:h2:file:" + disk.resolve("db/jobs")
                + ";DB_CLOSE_ON_EXIT=FALSE", "--l0.datasets.dir=" + datasets,
                "--l0.storage.dir=" + base.resolve("artifacts"), "--l0.worker.enabled=false");
        try (ServiceProcess service = ServiceProcess.start(base.resolve("service.log"), args)
                .awaitReady(Duration.ofMinutes(3))) {
            ContractHttp http = new ContractHttp(service.port());
            List<String> acknowledged = new ArrayList<>();
            acknowledged.add(submit(http).orElseThrow());

            fill(filler);
            ContractHttp.Response refused = null;
            for (int i = 0; i < MAX_SUBMITS && refused == null; i++) {
                ContractHttp.Response response = http.post("/v1/jobs", EndToEndTest.mlpJob(1));
                if (response.status() == 202) {
                    acknowledged.add(JsonPath.read(response.text(), "$.id"));
                } else {
                    refused = response;
                }
            }
            assertThat(refused).as("a submit on the full disk" + service.logTail()).isNotNull();
            assertThat(refused.status()).as(refused.text()).isEqualTo(503);
            assertThat(EndToEndTest.field(refused, "$.type")).isEqualTo("urn:l0-sparsify:problem:database-unavailable");
            assertThat(refused.header("Retry-After")).isNotNull();
            // reads may still work, but a service that cannot keep a job is not ready
            assertThat(readiness(service.port())).as("readiness on the full disk").isEqualTo(503);

            // Once space returns, the pool drops the connections of the database H2 closed and reopens it: submits
            // are accepted again. Until then each one is refused as above, never acknowledged and lost.
            Files.delete(filler);
            String recovered = Awaitility.await("a submit to be accepted once space returns").atMost(Duration.ofMinutes(2))
                    .pollInterval(Duration.ofMillis(200)).until(() -> {
                        ContractHttp.Response response = http.post("/v1/jobs", EndToEndTest.mlpJob(1));
                        assertThat(response.status()).as(response.text()).isIn(202, 503);
                        return response.status() == 202 ? JsonPath.<String>read(response.text(), "$.id") : null;
                    }, java.util.Objects::nonNull);
            acknowledged.add(recovered);
            acknowledged.add(submit(http).orElseThrow());
            assertThat(readiness(service.port())).isEqualTo(200);
            for (String id : acknowledged) {
                assertThat(http.get("/v1/jobs/" + id).status()).as("acknowledged job " + id).isEqualTo(200);
            }
            assertThat(JsonPath.<List<String>>read(http.get("/v1/jobs?pageSize=100").text(), "$.items[*].id"))
                    .as("nothing that was refused was kept").containsExactlyInAnyOrderElementsOf(acknowledged);
        } finally {
            run("umount", "-l", disk.toString());
        }
    }

    private static java.util.Optional<String> submit(ContractHttp http) throws Exception {
        ContractHttp.Response response = http.post("/v1/jobs", EndToEndTest.mlpJob(1));
        assertThat(response.status()).as(response.text()).isEqualTo(202);
        return java.util.Optional.of(JsonPath.read(response.text(), "$.id"));
    }

    /** Writes {@code filler} until the disk is full. */
    private static void fill(Path filler) throws IOException {
        byte[] block = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(filler)) {
            while (true) {
                out.write(block);
            }
        } catch (IOException full) {
            // No space left on device: what the test wants.
        }
    }

    private static int readiness(int port) throws Exception {
        try (var client = java.net.http.HttpClient.newHttpClient()) {
            var request = java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port
                    + "/actuator/health/readiness")).timeout(Duration.ofSeconds(10)).build();
            return client.send(request, java.net.http.HttpResponse.BodyHandlers.discarding()).statusCode();
        }
    }

    private static boolean run(String... command) {
        try {
            Process process = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
            return process.waitFor(30, TimeUnit.SECONDS) && process.exitValue() == 0;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }
}
