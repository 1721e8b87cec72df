package io.l0sparsify.api;

import io.l0sparsify.testing.TestKeys;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.l0sparsify.dataset.TestDatasets;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import javax.management.MBeanServer;
import javax.management.ObjectName;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The HTTP edge under clients that misbehave, over real sockets: bodies that trickle in, more slow clients
 * than a thread pool would have threads, event streams whose clients leave, a client that aborts mid-body,
 * and a direct request for the container's error page. Waits are on conditions with generous bounds; the
 * only pauses are the slow clients' own pacing.
 */
@ExtendWith(OutputCaptureExtension.class)
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "l0.worker.enabled=false", "l0.api.request-body-timeout=PT15S", "l0.api.events-poll-interval=PT0.1S",
        "l0.api.events-heartbeat-interval=PT0.2S", "server.tomcat.threads.max=10",
        "server.tomcat.mbeanregistry.enabled=true",
        "logging.level." + ApiExceptionHandler.DISCONNECTED_CLIENTS + "=DEBUG"})
class HttpEdgeTest {

    private static final String AUTHORIZATION_LINE = TestKeys.AUTHORIZATION + ": " + TestKeys.adminBearer() + "\r\n";

    private static final Path DATASETS = TestDatasets.withMnist();
    private static final Duration GENEROUS = Duration.ofSeconds(60);
    private static final String JOB = """
            {"model": {"inputShape": [784], "layers": [{"type": "dense", "units": 10}]},
             "dataset": {"uri": "builtin:mnist"}, "training": {"epochs": 1}}""";

    @DynamicPropertySource
    static void paths(DynamicPropertyRegistry registry) {
        Path base = DATASETS.getParent();
        registry.add("spring.datasource.url", () -> "jdbc:h2:file:" + base.resolve("db/edge") + ";DB_CLOSE_ON_EXIT=FALSE");
        registry.add("l0.datasets.dir", DATASETS::toString);
        registry.add("l0.storage.dir", () -> base.resolve("artifacts").toString());
    }

    @LocalServerPort
    int port;

    @Autowired
    JobEventStreams eventStreams;

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final OpenApiContract contract = OpenApiContract.instance();
    private final List<SlowClient> slowClients = new ArrayList<>();
    private final ScheduledExecutorService trickle = Executors.newScheduledThreadPool(2);

    @AfterEach
    void closeSlowClients() {
        slowClients.forEach(SlowClient::close);
        trickle.shutdownNow();
    }

    @Test
    void aBodyThatTricklesInIsAnswered408AtTheDeadline() throws IOException {
        SlowClient slow = slowPost(100_000);
        RawResponse response = slow.readResponse();

        assertThat(response.status()).isEqualTo(408);
        assertThat(response.body()).contains("urn:l0-sparsify:problem:request-timeout");
        assertThat(violations("POST", "/v1/jobs", response)).isEmpty();
        slow.sender().cancel(true);
        assertThat(closedByServer(slow.socket())).as("the server closes the connection, draining nothing").isTrue();
    }

    @Test
    void livenessAnswersWhileMoreClientsThanRequestThreadsTrickleTheirBodies() throws Exception {
        for (int i = 0; i < 30; i++) {
            slowPost(100_000);
        }
        HttpResponse<String> liveness = client.send(authorized(uri("/actuator/health/liveness"))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(liveness.statusCode()).isEqualTo(200);
        HttpResponse<String> presets = client.send(authorized(uri("/v1/presets"))
                .timeout(Duration.ofSeconds(10)).GET().build(), HttpResponse.BodyHandlers.ofString());
        assertThat(presets.statusCode()).isEqualTo(200);
    }

    @Test
    void eventStreamsOfClientsThatLeftAreClosedAtTheNextHeartbeat() throws Exception {
        HttpResponse<String> submitted = client.send(authorized(uri("/v1/jobs"))
                .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(JOB)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(submitted.statusCode()).as(submitted.body()).isEqualTo(202);
        String jobId = submitted.headers().firstValue("Location").orElseThrow().replace("/v1/jobs/", "");
        int connectionsBefore = openConnections();

        for (int i = 0; i < 20; i++) {
            try (Socket socket = new Socket("localhost", port)) {
                socket.setSoTimeout((int) GENEROUS.toMillis());
                OutputStream out = socket.getOutputStream();
                out.write(("GET /v1/jobs/" + jobId + "/events HTTP/1.1\r\nHost: localhost\r\n" + AUTHORIZATION_LINE
                        + "Accept: text/event-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                out.flush();
                BufferedReader in = new BufferedReader(new InputStreamReader(socket.getInputStream(),
                        StandardCharsets.UTF_8));
                String line;
                while ((line = in.readLine()) != null && !line.startsWith("event:state")) {
                    // headers and the stream's opening lines
                }
                assertThat(line).as("the stream opens with the job's state").isNotNull();
            }
        }

        await("every stream of a departed client ends").atMost(GENEROUS)
                .untilAsserted(() -> assertThat(eventStreams.openStreams()).isZero());
        await("their connections close").atMost(GENEROUS)
                .untilAsserted(() -> assertThat(openConnections()).isLessThanOrEqualTo(connectionsBefore));
    }

    @Test
    void aClientAbortingMidBodyCostsOneDebugLineAndNoStackTrace(CapturedOutput output) throws IOException {
        try (Socket socket = new Socket("localhost", port)) {
            OutputStream out = socket.getOutputStream();
            out.write(postHeaders(1000));
            out.write('{');
            out.flush();
        }

        await("the abort is noticed").atMost(GENEROUS)
                .until(() -> output.getOut().contains("Looks like the client has gone away"));
        assertThat(output.getAll()).doesNotContain("unhandled error").doesNotContain("ClientAbortException\n\tat ")
                .doesNotContain(" ERROR ");
    }

    @Test
    void theErrorPageAskedForDirectlyIsANotFoundProblem() throws Exception {
        for (String method : List.of("GET", "POST")) {
            HttpResponse<String> response = client.send(authorized(uri("/error"))
                    .method(method, HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            RawResponse raw = new RawResponse(response.statusCode(), Map.of("content-type",
                    response.headers().firstValue("Content-Type").orElse("")), response.body());

            assertThat(response.statusCode()).as(method).isEqualTo(404);
            assertThat(response.body()).contains("urn:l0-sparsify:problem:not-found").doesNotContain("999");
            assertThat(violations(method, "/error", raw)).isEmpty();
        }
    }

    /** A request with the test suite's admin key. */
    private static HttpRequest.Builder authorized(URI uri) {
        return HttpRequest.newBuilder(uri).header(TestKeys.AUTHORIZATION, TestKeys.adminBearer());
    }

    private URI uri(String path) {
        return URI.create("http://localhost:" + port + path);
    }

    private byte[] postHeaders(int contentLength) {
        return ("POST /v1/jobs HTTP/1.1\r\nHost: localhost\r\n" + AUTHORIZATION_LINE + "Content-Type: application/json\r\n"
                + "Content-Length: " + contentLength + "\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
    }

    /** A client that sends the headers of a POST at once, then its body one byte every 200 ms. */
    private SlowClient slowPost(int contentLength) throws IOException {
        Socket socket = new Socket("localhost", port);
        socket.setSoTimeout((int) GENEROUS.toMillis());
        socket.getOutputStream().write(postHeaders(contentLength));
        socket.getOutputStream().write('{');
        socket.getOutputStream().flush();
        // paced by a scheduler rather than a sleeping loop: one byte per tick until the body is whole or the
        // server has closed (a failed write ends the schedule)
        AtomicInteger sent = new AtomicInteger(1);
        SlowClient slow = new SlowClient(socket, trickle.scheduleAtFixedRate(() -> {
            if (sent.getAndIncrement() >= contentLength) {
                throw new CancellationException("the whole body was sent");
            }
            try {
                socket.getOutputStream().write(' ');
                socket.getOutputStream().flush();
            } catch (IOException closed) {
                throw new UncheckedIOException(closed);
            }
        }, 200, 200, TimeUnit.MILLISECONDS));
        slowClients.add(slow);
        return slow;
    }

    private List<String> violations(String method, String path, RawResponse response) {
        return contract.responseViolations(new OpenApiContract.Exchange(method, path, null, null, null,
                response.status(), response.headers().get("content-type"),
                name -> response.headers().get(name.toLowerCase(Locale.ROOT)), response.body()));
    }

    /** Tomcat's open connections on the API port, as its thread-pool MBean counts them. */
    private static int openConnections() throws Exception {
        MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        ObjectName pool = server.queryNames(new ObjectName("Tomcat:type=ThreadPool,*"), null).iterator().next();
        return ((Number) server.getAttribute(pool, "connectionCount")).intValue();
    }

    /**
     * Whether the server has closed the connection: the end of the stream, or a reset, which Linux sends instead when
     * the client's trickled bytes reach a socket that was closed without reading them.
     */
    private static boolean closedByServer(Socket socket) throws IOException {
        try {
            return socket.getInputStream().read() == -1;
        } catch (java.net.SocketException reset) {
            return true;
        }
    }

    private record RawResponse(int status, Map<String, String> headers, String body) {}

    private record SlowClient(Socket socket, Future<?> sender) {

        /** Reads one HTTP/1.1 response with a Content-Length or chunked body. */
        RawResponse readResponse() throws IOException {
            InputStream in = socket.getInputStream();
            Matcher status = Pattern.compile("HTTP/1\\.1 (\\d{3}).*").matcher(line(in));
            assertThat(status.matches()).isTrue();
            Map<String, String> headers = new LinkedHashMap<>();
            for (String header = line(in); !header.isEmpty(); header = line(in)) {
                int colon = header.indexOf(':');
                headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT), header.substring(colon + 1).trim());
            }
            StringBuilder body = new StringBuilder();
            if (headers.containsKey("content-length")) {
                body.append(new String(in.readNBytes(Integer.parseInt(headers.get("content-length"))),
                        StandardCharsets.UTF_8));
            } else {
                for (int size = Integer.parseInt(line(in), 16); size > 0; size = Integer.parseInt(line(in), 16)) {
                    body.append(new String(in.readNBytes(size), StandardCharsets.UTF_8));
                    line(in);
                }
                line(in); // the empty line that ends a chunked body
            }
            return new RawResponse(Integer.parseInt(status.group(1)), headers, body.toString());
        }

        void close() {
            sender.cancel(true);
            try {
                socket.close();
            } catch (IOException e) {
                // already closed
            }
        }

        private static String line(InputStream in) throws IOException {
            StringBuilder line = new StringBuilder();
            for (int c = in.read(); c != '\n'; c = in.read()) {
                if (c < 0) {
                    throw new IOException("the connection closed mid-response: " + line);
                }
                if (c != '\r') {
                    line.append((char) c);
                }
            }
            return line.toString();
        }
    }
}
