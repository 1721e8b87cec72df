package io.l0sparsify.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import io.l0sparsify.api.OpenApiContract;
import io.l0sparsify.testing.TestKeys;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A real HTTP client whose every exchange is checked against openapi.yaml (requests and responses). Requests carry
 * the test suite's admin key ({@link TestKeys}) unless they set {@code Authorization} themselves or the client was
 * made for another caller.
 */
final class ContractHttp {

    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final String base;
    private final OpenApiContract contract = OpenApiContract.instance();
    /** The Authorization header sent when a request has none; null: none. */
    private final String authorization;

    ContractHttp(int port) {
        this(port, TestKeys.adminBearer());
    }

    /** Requests as {@code authorization} ({@code Bearer KEY}), or without credentials when it is null. */
    ContractHttp(int port, String authorization) {
        this.base = "http://localhost:" + port;
        this.authorization = authorization;
    }

    record Response(int status, java.net.http.HttpHeaders headers, byte[] body) {
        String text() {
            return new String(body, StandardCharsets.UTF_8);
        }

        String header(String name) {
            return headers.firstValue(name).orElse(null);
        }
    }

    Response get(String pathAndQuery, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + pathAndQuery)).GET();
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return exchange(authorized(request).build(), null, null);
    }

    Response post(String path, String json, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + path));
        if (json != null) {
            request.header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(json));
        } else {
            request.POST(HttpRequest.BodyPublishers.noBody());
        }
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return exchange(authorized(request).build(), json == null ? null : "application/json", json);
    }

    Response delete(String path) throws IOException, InterruptedException {
        return exchange(authorized(HttpRequest.newBuilder(URI.create(base + path)).DELETE()).build(), null, null);
    }

    /** POSTs raw bytes (an upload); the request's body is not checked against a schema, only its type. */
    Response postBinary(String pathAndQuery, byte[] body) throws IOException, InterruptedException {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(base + pathAndQuery))
                .header("Content-Type", "application/octet-stream")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        return exchange(authorized(request).build(), "application/octet-stream", null);
    }

    /** Reads a Server-Sent Events stream to its end; returns (event, data) pairs, each data checked. */
    List<String[]> events(String path, Duration timeout) throws IOException, InterruptedException {
        HttpRequest request = authorized(HttpRequest.newBuilder(URI.create(base + path))
                .header("Accept", "text/event-stream").timeout(timeout).GET()).build();
        HttpResponse<Stream<String>> response = client.send(request, HttpResponse.BodyHandlers.ofLines());
        assertThat(response.statusCode()).isEqualTo(200);
        assertThat(response.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
        List<String[]> events = new ArrayList<>();
        String name = null;
        StringBuilder data = new StringBuilder();
        for (String line : (Iterable<String>) response.body()::iterator) {
            if (line.startsWith("event:")) {
                name = line.substring(6).trim();
            } else if (line.startsWith("data:")) {
                data.append(line.substring(5));
            } else if (line.isEmpty() && name != null) {
                String schema = name.equals("state") ? "Job" : "Progress";
                assertThat(contract.schemaViolations(schema, data.toString())).as("event " + name).isEmpty();
                events.add(new String[] {name, data.toString()});
                name = null;
                data.setLength(0);
            }
        }
        return events;
    }

    private HttpRequest.Builder authorized(HttpRequest.Builder request) {
        if (authorization != null && request.copy().build().headers().firstValue(TestKeys.AUTHORIZATION).isEmpty()) {
            request.header(TestKeys.AUTHORIZATION, authorization);
        }
        return request;
    }

    private Response exchange(HttpRequest request, String contentType, String body)
            throws IOException, InterruptedException {
        HttpResponse<byte[]> response = client.send(request, HttpResponse.BodyHandlers.ofByteArray());
        String path = request.uri().getPath();
        String responseType = response.headers().firstValue("Content-Type").orElse(null);
        OpenApiContract.Exchange exchange = new OpenApiContract.Exchange(request.method(), path,
                request.uri().getRawQuery(), contentType, body, response.statusCode(), responseType,
                name -> response.headers().firstValue(name).orElse(null),
                new String(response.body(), StandardCharsets.UTF_8));
        assertThat(contract.requestViolations(exchange)).as("request against openapi.yaml").isEmpty();
        assertThat(contract.responseViolations(exchange)).as("response against openapi.yaml").isEmpty();
        return new Response(response.statusCode(), response.headers(), response.body());
    }
}
