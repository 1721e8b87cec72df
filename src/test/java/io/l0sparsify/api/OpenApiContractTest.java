package io.l0sparsify.api;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The contract checker itself must catch drift, or the contract tests prove nothing. */
class OpenApiContractTest {

    private final OpenApiContract contract = OpenApiContract.instance();

    private static OpenApiContract.Exchange response(String method, String path, int status, String type, String body) {
        return new OpenApiContract.Exchange(method, path, null, null, null, status, type, h -> null, body);
    }

    @Test
    void conformingProblemPasses() {
        assertThat(contract.responseViolations(response("GET", "/v1/jobs/x", 404, "application/problem+json",
                "{\"type\":\"urn:l0-sparsify:problem:job-not-found\",\"title\":\"Job not found\",\"status\":404,"
                        + "\"detail\":\"no job with id 'x'\"}"))).isEmpty();
    }

    @Test
    void problemWithAnUndocumentedTypeIsCaught() {
        assertThat(contract.responseViolations(response("GET", "/v1/jobs/x", 404, "application/problem+json",
                "{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404,\"detail\":\"d\"}"))).isNotEmpty();
    }

    @Test
    void undocumentedStatusIsCaught() {
        assertThat(contract.responseViolations(response("GET", "/v1/jobs/x", 418, "application/json", "{}")))
                .anySatisfy(m -> assertThat(m).contains("status not documented"));
    }

    @Test
    void wrongContentTypeIsCaught() {
        assertThat(contract.responseViolations(response("GET", "/v1/presets", 200, "text/html", "<html/>")))
                .anySatisfy(m -> assertThat(m).contains("content type"));
    }

    @Test
    void unknownPropertyAndWrongEnumAreCaught() {
        assertThat(contract.responseViolations(response("GET", "/v1/jobs", 200, "application/json",
                "{\"items\": [], \"nextPageToken\": null, \"extra\": 1}"))).isNotEmpty();
        assertThat(contract.responseViolations(response("GET", "/v1/jobs", 200, "application/json",
                "{\"items\": [], \"nextPageToken\": 5}"))).isNotEmpty();
        assertThat(contract.responseViolations(response("GET", "/v1/jobs", 200, "application/json",
                "{\"items\": [], \"nextPageToken\": null}"))).isEmpty();
    }

    @Test
    void layerTypesAreCheckedByConst() {
        String body = "{\"model\": {\"inputShape\": [784], \"layers\": [{\"type\": \"lstm\"}]}, "
                + "\"dataset\": {\"uri\": \"builtin:mnist\"}}";
        OpenApiContract.Exchange request = new OpenApiContract.Exchange("POST", "/v1/jobs", null, "application/json",
                body, 202, null, h -> null, null);
        assertThat(contract.requestViolations(request)).isNotEmpty();
        OpenApiContract.Exchange good = new OpenApiContract.Exchange("POST", "/v1/jobs", null, "application/json",
                body.replace("{\"type\": \"lstm\"}", "{\"type\": \"dense\", \"units\": 10}"), 202, null, h -> null, null);
        assertThat(contract.requestViolations(good)).isEmpty();
    }

    @Test
    void missingRequiredHeaderIsCaught() {
        assertThat(contract.responseViolations(new OpenApiContract.Exchange("POST", "/v1/jobs", null, null, null, 202,
                "application/json", h -> null, "{}"))).anySatisfy(m -> assertThat(m).contains("Location"));
    }

    @Test
    void undocumentedQueryParameterIsCaught() {
        assertThat(contract.requestViolations(new OpenApiContract.Exchange("GET", "/v1/jobs", "limit=5", null, null,
                200, null, h -> null, null))).isNotEmpty();
        assertThat(contract.requestViolations(new OpenApiContract.Exchange("GET", "/v1/jobs", "pageSize=500", null,
                null, 200, null, h -> null, null))).isNotEmpty();
    }

    @Test
    void everyOperationSaysWhoMayCallIt() throws Exception {
        JsonNode document = new ObjectMapper(new YAMLFactory()).readTree(Path.of("openapi.yaml").toFile());
        assertThat(document.path("security").get(0).has("bearer")).isTrue();
        assertThat(document.at("/components/securitySchemes/bearer/scheme").asText()).isEqualTo("bearer");
        Set<String> open = Set.of("/", "/openapi.yaml", "/actuator/health/liveness", "/actuator/health/readiness");
        List<String> missing = new ArrayList<>();
        for (Map.Entry<String, JsonNode> path : document.path("paths").properties()) {
            for (Map.Entry<String, JsonNode> operation : path.getValue().properties()) {
                if (operation.getKey().equals("parameters")) {
                    continue;
                }
                String where = operation.getKey() + " " + path.getKey();
                boolean isPublic = operation.getValue().has("security")
                        && operation.getValue().path("security").isEmpty();
                if (open.contains(path.getKey()) != isPublic) {
                    missing.add(where + ": public is " + isPublic);
                }
                if (!isPublic && !operation.getValue().path("responses").has("401")) {
                    missing.add(where + ": no 401");
                }
                if ((path.getKey().startsWith("/v1/keys") || path.getKey().equals("/actuator/prometheus"))
                        && !operation.getValue().path("responses").has("403")) {
                    missing.add(where + ": admins only, but no 403");
                }
            }
        }
        assertThat(missing).isEmpty();
    }
}
