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
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
public final class QueueBenchmark {

    private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");
    private static final Pattern STATE = Pattern.compile("\"state\"\\s*:\\s*\"([A-Z]+)\"");
    private static final String JOB = "{\"name\":\"queue-bench\",\"model\":{\"inputShape\":[784],\"layers\":["
            + "{\"type\":\"dense\",\"units\":16},{\"type\":\"relu\"},{\"type\":\"dense\",\"units\":10}]},"
            + "\"dataset\":{\"uri\":\"builtin:mnist\"},\"training\":{\"epochs\":1}}";

    private QueueBenchmark() {}

    public static void main(String[] args) throws Exception {
        String url = "http://127.0.0.1:8080";
        int clients = 100;
        int submits = 1000;
        int polls = 10_000;
        int starts = 10;
        String database = "unknown";
        Path out = Path.of("docs/benchmarks/queue");
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--url" -> url = args[i + 1];
                case "--clients" -> clients = Integer.parseInt(args[i + 1]);
                case "--submits" -> submits = Integer.parseInt(args[i + 1]);
                case "--polls" -> polls = Integer.parseInt(args[i + 1]);
                case "--starts" -> starts = Integer.parseInt(args[i + 1]);
                case "--database" -> database = args[i + 1];
                case "--out" -> out = Path.of(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
        String base = url;
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        try {
            List<String> ids = Collections.synchronizedList(new ArrayList<>());
            long[] submitNanos = run(pool, submits, () -> {
                HttpResponse<String> r = http.send(post(base + "/v1/jobs", JOB), HttpResponse.BodyHandlers.ofString());
                expect(r, 202);
                ids.add(match(ID, r.body()));
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
                String id = match(ID, r.body());
                String state = match(STATE, r.body());
                while (state.equals("QUEUED")) {
                    Thread.sleep(5);
                    state = match(STATE, http.send(get(base + "/v1/jobs/" + id), HttpResponse.BodyHandlers.ofString()).body());
                }
                toRunning[i] = (System.nanoTime() - begin) / 1e6;
                http.send(post(base + "/v1/jobs/" + id + "/cancel", ""), HttpResponse.BodyHandlers.discarding());
                waitIdle(http, base);
            }
            write(out, database, clients, submitNanos, pollNanos, toRunning);
        } finally {
            pool.shutdownNow();
        }
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
            String running = http.send(get(base + "/v1/jobs?state=RUNNING&pageSize=1"),
                    HttpResponse.BodyHandlers.ofString()).body();
            String queued = http.send(get(base + "/v1/jobs?state=QUEUED&pageSize=1"),
                    HttpResponse.BodyHandlers.ofString()).body();
            if (!running.contains("\"id\"") && !queued.contains("\"id\"")) {
                return;
            }
            Thread.sleep(20);
        }
        throw new IllegalStateException("the service did not become idle");
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

    private static String match(Pattern pattern, String body) {
        Matcher m = pattern.matcher(body);
        if (!m.find()) {
            throw new IllegalStateException("unexpected response " + body);
        }
        return m.group(1);
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
        String json = String.format(Locale.ROOT, "{%n  \"database\": \"%s\",%n  \"clients\": %d,%n"
                + "  \"submits\": {\"count\": %d, \"p50Ms\": %.2f, \"p99Ms\": %.2f, \"maxMs\": %.2f},%n"
                + "  \"polls\": {\"count\": %d, \"p50Ms\": %.2f, \"p99Ms\": %.2f, \"maxMs\": %.2f},%n"
                + "  \"submitToRunning\": {\"count\": %d, \"p50Ms\": %.1f, \"maxMs\": %.1f},%n"
                + "  \"measuredAt\": \"%s\",%n  \"cpus\": %d%n}%n", database, clients, submit.length,
                percentile(submit, 50), percentile(submit, 99), submit[submit.length - 1], poll.length,
                percentile(poll, 50), percentile(poll, 99), poll[poll.length - 1], toRunning.length,
                percentile(toRunning, 50), toRunning[toRunning.length - 1], Instant.now(),
                Runtime.getRuntime().availableProcessors());
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
        Files.writeString(Path.of(out + ".json"), json, StandardCharsets.UTF_8);
        Files.writeString(Path.of(out + ".md"), md, StandardCharsets.UTF_8);
        System.out.print(md);
    }
}
