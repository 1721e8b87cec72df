package io.l0sparsify.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Spec;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.json.JsonMapper;

/**
 * Load on a running service over loopback: {@code --clients} concurrent clients submit {@code --submits}
 * jobs (latency of each POST), then make {@code --polls} status reads of random jobs (latency of each GET);
 * the queued jobs are cancelled, and with the worker idle {@code --starts} single jobs measure the time from
 * submit to RUNNING (polled every 5 ms). Writes {@code OUT.json} and {@code OUT.md}.
 *
 * <pre>
 * scripts/benchmark-queue            (starts the service on H2, then on PostgreSQL, and runs this)
 * </pre>
 */
@Command(name = "QueueBenchmark", mixinStandardHelpOptions = true,
        description = "Submit, poll and start latency of a running service, written to OUT.json and OUT.md")
public final class QueueBenchmark implements Callable<Integer> {

    private static final JsonMapper JSON = JsonMapper.builder().enable(SerializationFeature.INDENT_OUTPUT).build();
    private static final String JOB = "{\"name\":\"queue-bench\",\"model\":{\"inputShape\":[784],\"layers\":["
            + "{\"type\":\"dense\",\"units\":16},{\"type\":\"relu\"},{\"type\":\"dense\",\"units\":10}]},"
            + "\"dataset\":{\"uri\":\"builtin:mnist\"},\"training\":{\"epochs\":1}}";

    @Spec
    CommandSpec spec;

    @Option(names = "--url", defaultValue = "http://127.0.0.1:8080", description = "the service")
    String url;

    @Option(names = "--clients", defaultValue = "100", description = "concurrent clients")
    int clients;

    @Option(names = "--submits", defaultValue = "1000")
    int submits;

    @Option(names = "--polls", defaultValue = "10000")
    int polls;

    @Option(names = "--starts", defaultValue = "10", description = "single jobs timed from submit to RUNNING")
    int starts;

    @Option(names = "--database", defaultValue = "unknown", description = "the service's database, for the report")
    String database;

    @Option(names = "--out", defaultValue = "docs/benchmarks/queue", description = "report path without extension")
    Path out;

    public static void main(String[] args) {
        System.exit(new CommandLine(new QueueBenchmark()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        if (clients < 1 || submits < 1 || polls < 1 || starts < 1) {
            throw new ParameterException(spec.commandLine(), "--clients, --submits, --polls and --starts must be"
                    + " positive");
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String base = url;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<String> ids = Collections.synchronizedList(new ArrayList<>());
            long[] submitNanos = run(pool, submits, () -> {
                HttpResponse<String> r = http.send(post(base + "/v1/jobs", JOB), HttpResponse.BodyHandlers.ofString());
                expect(r, 202);
                ids.add(field(r, "id"));
            });
            String[] known = ids.toArray(new String[0]);
            long[] pollNanos = run(pool, polls, () -> {
                String id = known[ThreadLocalRandom.current().nextInt(known.length)];
                expect(http.send(get(base + "/v1/jobs/" + id), HttpResponse.BodyHandlers.ofString()), 200);
            });
            // Empty the queue so the worker is idle for the start-latency probe.
            for (String id : known) {
                http.send(post(base + "/v1/jobs/" + id + "/cancel", ""), HttpResponse.BodyHandlers.discarding());
            }
            waitIdle(http, base);
            double[] toRunning = new double[starts];
            for (int i = 0; i < starts; i++) {
                long begin = System.nanoTime();
                HttpResponse<String> r = http.send(post(base + "/v1/jobs", JOB), HttpResponse.BodyHandlers.ofString());
                expect(r, 202);
                String id = field(r, "id");
                String state = field(r, "state");
                while (state.equals("QUEUED")) {
                    Thread.sleep(5);
                    state = field(http.send(get(base + "/v1/jobs/" + id), HttpResponse.BodyHandlers.ofString()),
                            "state");
                }
                toRunning[i] = (System.nanoTime() - begin) / 1e6;
                http.send(post(base + "/v1/jobs/" + id + "/cancel", ""), HttpResponse.BodyHandlers.discarding());
                waitIdle(http, base);
            }
            write(out, database, clients, submitNanos, pollNanos, toRunning);
        } finally {
            pool.shutdownNow();
        }
        return 0;
    }

    private interface Call {
        void run() throws Exception;
    }

    /** Runs {@code count} calls on the pool and returns each call's duration in nanoseconds. */
    private static long[] run(ExecutorService pool, int count, Call call) throws Exception {
        List<Future<Long>> futures = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            futures.add(pool.submit(() -> {
                long begin = System.nanoTime();
                call.run();
                return System.nanoTime() - begin;
            }));
        }
        long[] nanos = new long[count];
        for (int i = 0; i < count; i++) {
            nanos[i] = futures.get(i).get();
        }
        return nanos;
    }

    private static void waitIdle(HttpClient http, String base) throws Exception {
        for (int i = 0; i < 6000; i++) {
            if (noJobs(http, base, "RUNNING") && noJobs(http, base, "QUEUED")) {
                return;
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("the service did not become idle");
    }

    private static boolean noJobs(HttpClient http, String base, String state) throws Exception {
        HttpResponse<String> page = http.send(get(base + "/v1/jobs?state=" + state + "&pageSize=1"),
                HttpResponse.BodyHandlers.ofString());
        expect(page, 200);
        return JSON.readTree(page.body()).path("items").isEmpty();
    }

    private static HttpRequest post(String uri, String body) {
        return HttpRequest.newBuilder(URI.create(uri)).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private static HttpRequest get(String uri) {
        return HttpRequest.newBuilder(URI.create(uri)).GET().build();
    }

    private static void expect(HttpResponse<String> response, int status) {
        if (response.statusCode() != status) {
            throw new IllegalStateException("expected " + status + " but got " + response.statusCode() + ": "
                    + response.body());
        }
    }

    /** A text field of a job in a response body. */
    private static String field(HttpResponse<String> response, String name) {
        JsonNode value = JSON.readTree(response.body()).get(name);
        if (value == null || !value.isString()) {
            throw new IllegalStateException("no text field '" + name + "' in the response " + response.body());
        }
        return value.asString();
    }

    private static double percentile(double[] sorted, double p) {
        int index = (int) Math.ceil(p / 100 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }

    private static double[] millis(long[] nanos) {
        double[] ms = new double[nanos.length];
        for (int i = 0; i < nanos.length; i++) {
            ms[i] = nanos[i] / 1e6;
        }
        Arrays.sort(ms);
        return ms;
    }

    private static void write(Path out, String database, int clients, long[] submitNanos, long[] pollNanos,
            double[] toRunning) throws IOException {
        double[] submit = millis(submitNanos);
        double[] poll = millis(pollNanos);
        Arrays.sort(toRunning);
        Report report = new Report(database, clients, Calls.of(submit, 2), Calls.of(poll, 2),
                new Starts(toRunning.length, rounded(percentile(toRunning, 50), 1),
                        rounded(toRunning[toRunning.length - 1], 1)),
                Instant.now().toString(), Runtime.getRuntime().availableProcessors());
        String md = String.format(Locale.ROOT, "# Queue and API under load: %s%n%n"
                + "Command: `scripts/benchmark-queue` (service and load generator on the same %d-core machine,"
                + " over loopback; %d concurrent clients; one in-process worker).%n%n"
                + "| | count | p50 ms | p99 ms | max ms |%n|---|---:|---:|---:|---:|%n"
                + "| submit (`POST /v1/jobs`, stored and queued) | %d | %.2f | %.2f | %.2f |%n"
                + "| status poll (`GET /v1/jobs/{id}`) | %d | %.2f | %.2f | %.2f |%n"
                + "| submit to RUNNING, idle worker | %d | %.1f | | %.1f |%n%n"
                + "During the submit and poll phases the in-process worker trains the queued jobs (a 784-16-10 MLP"
                + " on 500 images) on the same two cores as the service and the load generator, as on a loaded"
                + " single machine.%n", database,
                Runtime.getRuntime().availableProcessors(), clients, submit.length, percentile(submit, 50),
                percentile(submit, 99), submit[submit.length - 1], poll.length, percentile(poll, 50),
                percentile(poll, 99), poll[poll.length - 1], toRunning.length, percentile(toRunning, 50),
                toRunning[toRunning.length - 1]);
        Files.createDirectories(out.toAbsolutePath().getParent());
        Files.write(Path.of(out + ".json"), JSON.writeValueAsBytes(report));
        Files.writeString(Path.of(out + ".md"), md, StandardCharsets.UTF_8);
        System.out.print(md);
    }

    /** The report's JSON: latencies in milliseconds. */
    record Report(String database, int clients, Calls submits, Calls polls, Starts submitToRunning,
            String measuredAt, int cpus) {}

    record Calls(int count, double p50Ms, double p99Ms, double maxMs) {

        static Calls of(double[] sortedMillis, int decimals) {
            return new Calls(sortedMillis.length, rounded(percentile(sortedMillis, 50), decimals),
                    rounded(percentile(sortedMillis, 99), decimals),
                    rounded(sortedMillis[sortedMillis.length - 1], decimals));
        }
    }

    record Starts(int count, double p50Ms, double maxMs) {}

    private static double rounded(double value, int decimals) {
        return java.math.BigDecimal.valueOf(value).setScale(decimals, java.math.RoundingMode.HALF_UP).doubleValue();
    }
}
