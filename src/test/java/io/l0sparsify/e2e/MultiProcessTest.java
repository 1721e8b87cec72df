package io.l0sparsify.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import com.jayway.jsonpath.JsonPath;
import io.l0sparsify.L0SparsifyApplication;
import io.l0sparsify.dataset.TestDatasets;
import io.l0sparsify.job.PostgresTestDatabase;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.BooleanSupplier;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/**
 * The deployment the queue is built for, as separate operating-system processes on one PostgreSQL: an API
 * process and two worker processes. A long job and a few short ones are submitted at once; the worker
 * holding the long job is killed with SIGKILL in the middle of its training; the other worker re-claims it
 * once its lease has run out, resumes it from the last epoch checkpoint and finishes it. Every job ends
 * SUCCEEDED exactly once, the long one with two attempts, the others with one. Last, a job cancelled through
 * the API process stops on the worker running it.
 */
@EnabledIf(value = "io.l0sparsify.job.PostgresTestDatabase#available", disabledReason = PostgresTestDatabase.SKIP_REASON)
class MultiProcessTest {

    private static final int LONG_EPOCHS = 40;
    private static final int SHORT_JOBS = 4;

    private final Map<String, Process> processes = new LinkedHashMap<>();
    private final Map<String, Path> logs = new LinkedHashMap<>();
    private final Set<String> killedOnPurpose = new HashSet<>();

    @AfterEach
    void stopProcesses() throws InterruptedException {
        for (Process process : processes.values()) {
            process.destroyForcibly();
            process.waitFor();
        }
    }

    @Test
    void aJobWhoseWorkerIsKilledCompletesOnTheOtherWorkerFromItsCheckpoint() throws Exception {
        PostgresTestDatabase.Schema schema = PostgresTestDatabase.newSchema();
        Path datasets = TestDatasets.withMnist();
        Path base = datasets.getParent();
        int apiPort = freePort();
        List<String> common = List.of("--spring.datasource.url=" + schema.url(),
                "--spring.flyway.schemas=" + schema.name(), "--spring.flyway.default-schema=" + schema.name(),
                "--l0.datasets.dir=" + datasets, "--l0.storage.dir=" + base.resolve("artifacts"),
                "--l0.datasets.max-train-examples=3000", "--l0.datasets.max-test-examples=500",
                "--l0.queue.lease-duration=PT3S", "--l0.worker.poll-interval=PT0.2S", "--l0.worker.device=cpu",
                "--l0.worker.progress-every-steps=5", "--l0.worker.latency.warmup-runs=1",
                "--l0.worker.latency.runs=3");

        // The API first: its start migrates the schema.
        start("api", base, common, "--l0.role=api", "--server.port=" + apiPort);
        ContractHttp http = new ContractHttp(apiPort);
        await("the API to be ready", Duration.ofMinutes(2), () -> ServiceProcess.ready(apiPort));
        for (String worker : List.of("worker-a", "worker-b")) {
            start(worker, base, common, "--l0.role=worker", "--server.port=0", "--l0.worker.id=" + worker);
        }
        for (String worker : List.of("worker-a", "worker-b")) {
            await(worker + " to start", Duration.ofMinutes(2), () -> log(worker).contains("worker " + worker
                    + ": started"));
        }

        String longJob = JsonPath.read(http.post("/v1/jobs", longJob()).text(), "$.id");
        List<CompletableFuture<String>> submits = new ArrayList<>();
        for (int i = 0; i < SHORT_JOBS; i++) {
            submits.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return JsonPath.read(http.post("/v1/jobs", EndToEndTest.mlpJob(1)).text(), "$.id");
                } catch (IOException | InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        List<String> shortJobs = submits.stream().map(CompletableFuture::join).toList();

        // Kill its worker once an epoch checkpoint exists and the next epoch is under way.
        String[] holder = new String[1];
        await("the long job to get into its third epoch", Duration.ofMinutes(3), () -> {
            ContractHttp.Response job = get(http, longJob);
            assertThat(EndToEndTest.field(job, "$.state")).as(job.text()).isIn("QUEUED", "RUNNING");
            if (!job.text().contains("\"progress\"")
                    || Integer.parseInt(EndToEndTest.field(job, "$.progress.epoch")) < 2) {
                return false;
            }
            holder[0] = EndToEndTest.field(job, "$.worker");
            return true;
        });
        String killed = holder[0];
        String survivor = killed.equals("worker-a") ? "worker-b" : "worker-a";
        killedOnPurpose.add(killed);
        // destroyForcibly is SIGKILL: no shutdown hook, no graceful release of the job.
        processes.get(killed).destroyForcibly().waitFor();

        ContractHttp.Response done = awaitFinal(http, longJob);
        assertThat(EndToEndTest.field(done, "$.state")).as(done.text() + logTails()).isEqualTo("SUCCEEDED");
        assertThat(EndToEndTest.field(done, "$.attempt")).isEqualTo("2");
        assertThat(EndToEndTest.field(done, "$.epochsCompleted")).isEqualTo(String.valueOf(LONG_EPOCHS));
        assertThat(EndToEndTest.field(done, "$.attempts[*].worker"))
                .isEqualTo("[\"" + killed + "\",\"" + survivor + "\"]");
        assertThat(EndToEndTest.field(done, "$.attempts[0].resumedAfterEpoch")).isEqualTo("0");
        assertThat(Integer.parseInt(EndToEndTest.field(done, "$.attempts[1].resumedAfterEpoch")))
                .as("resumed from a checkpoint, not from scratch").isBetween(1, LONG_EPOCHS - 1);
        assertThat(http.get("/v1/jobs/" + longJob + "/result").status()).isEqualTo(200);
        // The killed attempt's epochs travel in the checkpoint: the metrics cover the whole run, one row per epoch.
        String metrics = http.get("/v1/jobs/" + longJob + "/artifacts/metrics.csv").text();
        assertThat(metrics.lines().skip(1).map(line -> line.substring(0, line.indexOf(','))))
                .as(metrics).containsExactlyElementsOf(java.util.stream.IntStream.rangeClosed(1, LONG_EPOCHS)
                        .mapToObj(String::valueOf).toList());
        assertThat(occurrences(log(survivor), "job " + longJob + ": SUCCEEDED")).isEqualTo(1);
        assertThat(log(killed)).doesNotContain("job " + longJob + ": SUCCEEDED");

        for (String id : shortJobs) {
            ContractHttp.Response job = awaitFinal(http, id);
            assertThat(EndToEndTest.field(job, "$.state")).as(job.text()).isEqualTo("SUCCEEDED");
            assertThat(EndToEndTest.field(job, "$.attempt")).as("run exactly once").isEqualTo("1");
            assertThat(JsonPath.<List<Object>>read(job.text(), "$.attempts")).hasSize(1);
            assertThat(occurrences(log("worker-a") + log("worker-b"), "job " + id + ": SUCCEEDED")).isEqualTo(1);
        }

        // A cancel sent to the API process reaches the run in the worker process.
        String cancelled = JsonPath.read(http.post("/v1/jobs", longJob()).text(), "$.id");
        await("the job to train on " + survivor, Duration.ofMinutes(2),
                () -> get(http, cancelled).text().contains("\"progress\""));
        assertThat(http.post("/v1/jobs/" + cancelled + "/cancel", null).status()).isEqualTo(202);
        ContractHttp.Response end = awaitFinal(http, cancelled);
        assertThat(EndToEndTest.field(end, "$.state")).as(end.text()).isEqualTo("CANCELLED");
        assertThat(log(survivor)).contains("job " + cancelled + ": CANCELLED");
    }

    private static String longJob() {
        return """
                {"name": "long", "model": {"preset": "mlp"}, "dataset": {"uri": "builtin:mnist"},
                 "training": {"epochs": %d, "batchSize": 50, "learningRate": 0.001, "seed": 3, "device": "cpu",
                 "maxRuntime": "PT10M"}}""".formatted(LONG_EPOCHS);
    }

    /** Starts the application in a JVM of its own, on the classpath of this test run. */
    private void start(String name, Path base, List<String> common, String... args) throws IOException {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx768m", "-Dai.djl.offline=true"));
        String djlCache = System.getProperty("DJL_CACHE_DIR");
        if (djlCache != null) {
            command.add("-DDJL_CACHE_DIR=" + djlCache);
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), L0SparsifyApplication.class.getName()));
        command.addAll(common);
        command.addAll(List.of(args));
        Path log = base.resolve(name + ".log");
        logs.put(name, log);
        processes.put(name, new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile())
                .start());
    }

    private String log(String name) {
        try {
            return Files.readString(logs.get(name), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private String logTails() {
        StringBuilder tails = new StringBuilder();
        for (String name : logs.keySet()) {
            String text = log(name);
            tails.append("\n--- ").append(name).append(" ---\n").append(text.substring(Math.max(0, text.length() - 3000)));
        }
        return tails.toString();
    }

    private static ContractHttp.Response get(ContractHttp http, String id) {
        try {
            return http.get("/v1/jobs/" + id);
        } catch (IOException | InterruptedException e) {
            throw new IllegalStateException(e);
        }
    }

    private ContractHttp.Response awaitFinal(ContractHttp http, String id) throws Exception {
        ContractHttp.Response[] last = new ContractHttp.Response[1];
        await("job " + id + " to finish", Duration.ofMinutes(4), () -> {
            last[0] = get(http, id);
            return List.of("SUCCEEDED", "FAILED", "CANCELLED").contains(EndToEndTest.field(last[0], "$.state"));
        });
        return last[0];
    }

    /**
     * Waits (real time: these are separate processes on the system clock) until {@code condition} holds; fails
     * at once when a process exits that the test did not kill, and with every process's log tail either way.
     */
    private void await(String what, Duration timeout, BooleanSupplier condition) {
        try {
            Awaitility.await(what).atMost(timeout).pollInterval(Duration.ofMillis(50)).until(() -> {
                if (condition.getAsBoolean()) {
                    return true;
                }
                for (Map.Entry<String, Process> process : processes.entrySet()) {
                    if (!process.getValue().isAlive() && !killedOnPurpose.contains(process.getKey())) {
                        throw new AssertionError(process.getKey() + " exited while waiting for " + what + logTails());
                    }
                }
                return false;
            });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("timed out waiting for " + what + logTails(), e);
        }
    }

    private static int occurrences(String text, String part) {
        int count = 0;
        for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
            count++;
        }
        return count;
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
