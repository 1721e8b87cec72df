package io.l0sparsify.api;

import io.l0sparsify.testing.TestKeys;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.l0sparsify.dataset.TestDatasets;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import jakarta.servlet.Filter;
import jakarta.servlet.http.HttpServletRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * Requests that the servlet container refuses before any controller sees them (hostile paths, broken request
 * lines, headers past their limits, broken body framing), an exception thrown by a filter and errors outside the
 * API's operations, sent over a raw socket because an HTTP client will not send most of them: each is answered
 * with a problem+json that satisfies the contract's {@code Problem} schema and quotes neither the request (but
 * in its {@code instance}), a path of the server, an exception nor a stack trace.
 */
// mbeanregistry as in HttpEdgeTest: a Tomcat started without it turns Tomcat's MBean registry off for the whole
// JVM, and HttpEdgeTest, run after this in the same JVM, counts connections through it
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "l0.worker.enabled=false", "server.max-http-request-header-size=8KB",
        "server.tomcat.mbeanregistry.enabled=true"})
class ContainerErrorsHttpTest {

    private static final Path DATASETS = TestDatasets.withMnist();
    private static final ObjectMapper JSON = new ObjectMapper();

    @DynamicPropertySource
    static void paths(DynamicPropertyRegistry registry) {
        Path base = DATASETS.getParent();
        registry.add("spring.datasource.url", () -> "jdbc:h2:file:" + base.resolve("db/container-errors")
                + ";DB_CLOSE_ON_EXIT=FALSE");
        registry.add("l0.datasets.dir", DATASETS::toString);
        registry.add("l0.storage.dir", () -> base.resolve("artifacts").toString());
    }

    @LocalServerPort
    int port;

    private final OpenApiContract contract = OpenApiContract.instance();

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "/v1/jobs/%2e%2e%2f%2e%2e%2fetc",
            "/v1/jobs/x/artifacts/..%2f..%2fetc%2fpasswd",
            "/v1/jobs/x/artifacts/..%2F..%2Fetc%2Fpasswd",
            "/v1/jobs/x/artifacts/..%5c..%5cetc%5cpasswd",
            "/v1/jobs/%2e%2e/%2e%2e/etc/passwd",
            "/../../etc/passwd",
            "/v1/../../etc/passwd",
            "/v1/jobs/..;/..;/etc/passwd",
            "/v1/jobs;jsessionid=x/../../etc",
            "/v1/jobs/%zz",
            "/v1/jobs/%",
            "/v1/jobs/%00/etc/passwd",
            "/v1/jobs/a{b}",
            "/v1/jobs/a|b",
            "/v1/jobs/a\\b",
            "\\v1\\jobs",
            "v1/jobs",
            "*",
            "/v1/jobs/x/artifacts/..%252f..%252fetc%252fpasswd",
            "/v1/datasets/..%252f..%252fetc%252fpasswd",
            "/v1/models/..%252f..%252fetc%252fpasswd",
            "/v1/jobs/x/artifacts/.model.onnx.sha256",
            "/v1/jobs/x/artifacts/%2e%2e",
            "/v1/jobs/x/artifacts/a%20b%0d%0aSet-Cookie:%20x=/etc/passwd"})
    void aHostilePathIsAProblem(String target) throws IOException {
        RawResponse response = send("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n");

        assertProblem(response, target, 400, 404);
    }

    @Test
    void anInvalidCharacterInTheRequestLineIsABadRequestProblem() throws IOException {
        RawResponse response = send("GET /v1/jobs/\u0001/etc/passwd HTTP/1.1\r\nHost: localhost\r\n\r\n");

        assertProblem(response, "control character", 400);
        assertThat(response.json().path("type").asText()).isEqualTo("urn:l0-sparsify:problem:bad-request");
    }

    @Test
    void aRequestLinePastTheLimitIsAProblem() throws IOException {
        String target = "/v1/jobs/" + "a".repeat(20_000) + "/etc/passwd";
        RawResponse response = send("GET " + target + " HTTP/1.1\r\nHost: localhost\r\n\r\n");

        assertProblem(response, "long request line", 400, 414);
    }

    @Test
    void headersPastTheLimitAreAProblem() throws IOException {
        RawResponse response = send("GET /v1/presets HTTP/1.1\r\nHost: localhost\r\nX-Big: "
                + "b".repeat(20_000) + "\r\n\r\n");

        assertProblem(response, "large header", 400, 431);
    }

    @Test
    void aMalformedHeaderIsAProblem() throws IOException {
        RawResponse response = send("GET /v1/presets HTTP/1.1\r\nHost: localhost\r\nBad Header Name: /etc/passwd\r\n\r\n");

        assertProblem(response, "malformed header", 400);
    }

    @Test
    void anUnsupportedHttpVersionIsAProblem() throws IOException {
        RawResponse response = send("GET /v1/presets HTTP/2.1\r\nHost: localhost\r\n\r\n");

        assertProblem(response, "HTTP/2.1", 400, 505);
    }

    @Test
    void anUnknownTransferEncodingIsAProblem() throws IOException {
        RawResponse response = send("POST /v1/jobs HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n");

        assertProblem(response, "unknown transfer encoding", 400, 501);
    }

    @Test
    void aMalformedChunkedBodyIsAProblem() throws IOException {
        RawResponse response = send("POST /v1/jobs HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n");

        assertProblem(response, "malformed chunk", 400);
    }

    @Test
    void conflictingLengthsAreAProblem() throws IOException {
        RawResponse response = send("POST /v1/jobs HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
                + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}");

        assertProblem(response, "two Content-Length", 400);
    }

    @ParameterizedTest(name = "{0} {1}")
    @CsvSource(delimiter = '|', value = {
            "GET|/nowhere/etc/passwd|404",
            "DELETE|/nowhere|404",
            "GET|/actuator/xyz|404",
            "GET|/actuator/metrics/no.such.metric|404",
            "GET|/actuator/health/no-such-group|404",
            "GET|/actuator/%2e%2e/%2e%2e/etc/passwd|400",
            "POST|/actuator/health|405",
            "GET|/error|404",
            "PROPFIND|/v1/jobs|405",
            "TRACE|/v1/jobs|405",
            "GET|/WEB-INF/web.xml|404",
            "GET|/META-INF/MANIFEST.MF|404"})
    void anErrorOutsideTheOperationsIsAProblem(String method, String path, int status) throws IOException {
        RawResponse response = send(method + " " + path + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                + "Content-Length: 0\r\n\r\n");

        assertProblem(response, method + " " + path, status);
    }

    @Test
    void aBodyOfTheWrongTypeOrAnAnswerNoOneAcceptsIsAProblem() throws IOException {
        assertProblem(send("POST /v1/jobs HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                + "Content-Type: text/html\r\nContent-Length: 2\r\n\r\n{}"), "text/html body", 415);
        assertProblem(send("GET /v1/presets HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                + "Accept: image/png\r\n\r\n"), "Accept: image/png", 406);
    }

    @Test
    void aBodyPastTheLimitIsAProblem() throws IOException {
        int length = 5 << 20;
        RawResponse response = send("POST /v1/jobs HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                + "Content-Type: application/json\r\nContent-Length: " + length + "\r\n\r\n{");

        assertProblem(response, "large body", 413);
    }

    @Test
    void anExceptionThrownByAFilterIsAnInternalErrorProblem() throws IOException {
        RawResponse response = send("GET " + ThrowingFilter.PATH + " HTTP/1.1\r\nHost: localhost\r\n"
                + "Connection: close\r\n\r\n");

        assertProblem(response, "a filter's exception", 500);
        assertThat(response.json().path("type").asText()).isEqualTo("urn:l0-sparsify:problem:internal-error");
        assertThat(response.body()).doesNotContain(ThrowingFilter.SECRET);
    }

    @Test
    void aDatabaseFailureBeforeAnyControllerIsADatabaseUnavailableProblem() throws IOException {
        RawResponse response = send("GET " + ThrowingFilter.DATABASE_PATH + " HTTP/1.1\r\nHost: localhost\r\n"
                + "Connection: close\r\n\r\n");

        assertProblem(response, "a filter's database failure", 503);
        assertThat(response.json().path("type").asText()).isEqualTo("urn:l0-sparsify:problem:database-unavailable");
        assertThat(response.headers().get("retry-after")).isEqualTo("10");
        assertThat(response.body()).doesNotContain(ThrowingFilter.SECRET);
    }

    /** A filter that fails before any controller, with a message naming a class and a file of the server. */
    @TestConfiguration
    static class ThrowingFilter {

        static final String PATH = "/v1/filter-failure";
        static final String DATABASE_PATH = "/v1/filter-database-failure";
        static final String SECRET = "/srv/secret/passwd";

        @Bean
        Filter throwingFilter() {
            return (request, response, chain) -> {
                if (PATH.equals(((HttpServletRequest) request).getRequestURI())) {
                    throw new IllegalStateException("java.lang.IllegalStateException at " + SECRET);
                }
                if (DATABASE_PATH.equals(((HttpServletRequest) request).getRequestURI())) {
                    // as the key lookup of the security filters fails when the database is down
                    throw new DataAccessResourceFailureException("connection refused: " + SECRET);
                }
                chain.doFilter(request, response);
            };
        }
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
            "no credentials||Bearer",
            "an unknown key|Authorization: Bearer l0k_AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA\\r\\n|Bearer error=\"invalid_token\"",
            "a malformed token|Authorization: Bearer a b c\\r\\n|Bearer error=\"invalid_token\"",
            "a password|Authorization: Basic YWRtaW46YWRtaW4=\\r\\n|Bearer"})
    void requestsWithoutAValidTokenAreUnauthorizedProblemsWithABearerChallenge(String who, String header,
            String challenge) throws IOException {
        for (String target : List.of("/v1/jobs", "/v1/jobs/x/artifacts/model.onnx", "/v1/keys", "/nowhere",
                "/actuator/prometheus")) {
            RawResponse response = send("GET " + target + " HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n"
                    + (header == null ? "" : header.replace("\\r\\n", "\r\n")) + "\r\n", false);
            assertProblem(response, who + " " + target, 401);
            assertThat(response.json().path("type").asText()).isEqualTo("urn:l0-sparsify:problem:unauthorized");
            assertThat(response.headers().get("www-authenticate")).as(who + " " + target).isEqualTo(challenge);
        }
    }

    private void assertProblem(RawResponse response, String what, int... statuses) {
        String as = what + " → " + response.status() + " " + response.body();
        assertThat(response.status()).as(as).isIn(box(statuses));
        assertThat(response.headers().get("content-type")).as(as).startsWith("application/problem+json");
        assertThat(contract.problemViolations(response.headers().get("content-type"), response.body())).as(as).isEmpty();
        JsonNode problem = response.json();
        assertThat(problem.path("status").asInt()).as(as).isEqualTo(response.status());
        if (Set.of(400, 414, 431, 501, 505).contains(response.status())) {
            assertThat(problem.path("type").asText()).as(as).isEqualTo("urn:l0-sparsify:problem:bad-request");
        }
        // RFC 9457's instance, which the API's own problems carry, is the client's request target as it sent
        // it, escaped as JSON; nothing else may quote the request
        String instance = problem.path("instance").asText("");
        assertThat(response.request()).as(as).contains(instance);
        ((ObjectNode) problem).remove("instance");
        assertThat(problem.toString()).as(as)
                .doesNotContainIgnoringCase("<html")
                .doesNotContain("etc/passwd").doesNotContain("passwd")
                .doesNotContain("Exception").doesNotContain("java.").doesNotContain("org.apache")
                .doesNotContain("\tat ").doesNotContain("Tomcat")
                .doesNotContain(System.getProperty("user.dir")).doesNotContain(System.getProperty("java.io.tmpdir"));
    }

    private static Integer[] box(int[] values) {
        return Arrays.stream(values).boxed().toArray(Integer[]::new);
    }

    /**
     * Sends bytes as they are, with the test suite's admin key as the first header (so that what is refused is
     * refused for what the request is, not for missing credentials), and reads the answer until the server closes
     * or the response is whole.
     */
    private RawResponse send(String request) throws IOException {
        return send(request, true);
    }

    /** {@link #send(String)}, with the admin key only when {@code withKey} (and no Authorization header given). */
    private RawResponse send(String request, boolean withKey) throws IOException {
        int firstLineEnd = request.indexOf("\r\n");
        if (withKey && firstLineEnd >= 0 && !request.contains(TestKeys.AUTHORIZATION + ":")) {
            request = request.substring(0, firstLineEnd + 2) + TestKeys.AUTHORIZATION + ": " + TestKeys.adminBearer()
                    + "\r\n" + request.substring(firstLineEnd + 2);
        }
        try (Socket socket = new Socket("localhost", port)) {
            socket.setSoTimeout(30_000);
            OutputStream out = socket.getOutputStream();
            try {
                out.write(request.getBytes(StandardCharsets.ISO_8859_1));
                out.flush();
            } catch (SocketException refused) {
                // the server may answer and close before taking everything; its answer is still there to read
            }
            return RawResponse.read(request, socket.getInputStream());
        }
    }

    private record RawResponse(String request, int status, Map<String, String> headers, String body) {

        JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON: " + body, e);
            }
        }

        static RawResponse read(String request, InputStream in) throws IOException {
            String statusLine = line(in);
            assertThat(statusLine).startsWith("HTTP/1.1 ");
            int status = Integer.parseInt(statusLine.substring(9, 12));
            Map<String, String> headers = new LinkedHashMap<>();
            for (String header = line(in); !header.isEmpty(); header = line(in)) {
                int colon = header.indexOf(':');
                headers.put(header.substring(0, colon).trim().toLowerCase(Locale.ROOT),
                        header.substring(colon + 1).trim());
            }
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            if (headers.containsKey("content-length")) {
                body.write(in.readNBytes(Integer.parseInt(headers.get("content-length"))));
            } else if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) {
                for (int size = Integer.parseInt(line(in), 16); size > 0; size = Integer.parseInt(line(in), 16)) {
                    body.write(in.readNBytes(size));
                    line(in);
                }
            } else {
                body.write(readToEnd(in));
            }
            return new RawResponse(request, status, headers, body.toString(StandardCharsets.UTF_8));
        }

        private static byte[] readToEnd(InputStream in) throws IOException {
            try {
                return in.readAllBytes();
            } catch (SocketException reset) {
                return new byte[0];
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
