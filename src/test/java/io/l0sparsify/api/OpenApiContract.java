package io.l0sparsify.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;
import java.util.regex.Pattern;

/**
 * Checks HTTP traffic against openapi.yaml: the operation must exist, the status must be documented, the
 * content type must be one the operation declares, required headers must be present, and JSON bodies must
 * satisfy their schema under JSON Schema 2020-12 (the dialect of OpenAPI 3.1). Request bodies and query
 * parameters are checked the same way.
 *
 * <p>Paths and methods the contract does not define (for tests of 404 and 405) must answer with a
 * {@code Problem}.
 */
public final class OpenApiContract {

    private static final Path FILE = Path.of("openapi.yaml");
    private static final OpenApiContract INSTANCE = new OpenApiContract(FILE);

    private final JsonNode document;
    private final JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012);
    private final SchemaValidatorsConfig config = SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();
    private final Map<String, JsonSchema> schemas = new ConcurrentHashMap<>();
    private final ObjectMapper json = new ObjectMapper();

    private OpenApiContract(Path file) {
        try {
            document = new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public static OpenApiContract instance() {
        return INSTANCE;
    }

    /** One exchange as the tests saw it. */
    public record Exchange(String method, String path, String query, String requestContentType, String requestBody,
            int status, String responseContentType, Function<String, String> responseHeader, String responseBody) {}

    /** Problems of the response; empty when it conforms. */
    /**
     * Violations of an answer that no operation gives, such as one the servlet container writes before it
     * finds an operation, against the {@code Problem} schema.
     */
    public List<String> problemViolations(String contentType, String body) {
        List<String> errors = new ArrayList<>();
        validateBody(contentType, body, "#/components/schemas/Problem", "problem", errors);
        return errors;
    }

    public List<String> responseViolations(Exchange x) {
        List<String> errors = new ArrayList<>();
        Optional<Map.Entry<String, JsonNode>> pathItem = findPath(x.path());
        JsonNode operation = pathItem.map(p -> p.getValue().get(x.method().toLowerCase(Locale.ROOT))).orElse(null);
        String where = x.method() + " " + x.path() + " → " + x.status();
        if (operation == null) {
            // Outside the contract: only an error problem is acceptable.
            if (x.status() < 400) {
                errors.add(where + ": the contract has no such operation, yet it succeeded");
            } else {
                validateBody(x.responseContentType(), x.responseBody(), "#/components/schemas/Problem", where, errors);
            }
            return errors;
        }
        String pointerBase = "#/paths/" + escape(pathItem.get().getKey()) + "/" + x.method().toLowerCase(Locale.ROOT)
                + "/responses/";
        JsonNode response = operation.path("responses").get(Integer.toString(x.status()));
        String responseKey = Integer.toString(x.status());
        if (response == null) {
            errors.add(where + ": status not documented (documented: "
                    + iterable(operation.path("responses").fieldNames()) + ")");
            return errors;
        }
        if (response.has("$ref")) {
            pointerBase = response.get("$ref").asText() + "/";
            response = resolve(response.get("$ref").asText());
            responseKey = null;
        }
        for (Iterator<Map.Entry<String, JsonNode>> it = response.path("headers").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> header = it.next();
            if (header.getValue().path("required").asBoolean(false) && x.responseHeader().apply(header.getKey()) == null) {
                errors.add(where + ": required header " + header.getKey() + " is missing");
            }
        }
        JsonNode content = response.get("content");
        if (content == null) {
            if (x.responseBody() != null && !x.responseBody().isEmpty()) {
                errors.add(where + ": the contract declares no body but one was sent");
            }
            return errors;
        }
        String mediaType = baseType(x.responseContentType());
        if (mediaType == null || !content.has(mediaType)) {
            errors.add(where + ": content type " + x.responseContentType() + " not declared (declared: "
                    + iterable(content.fieldNames()) + ")");
            return errors;
        }
        String schemaPointer = (responseKey == null ? pointerBase : pointerBase + escape(responseKey) + "/")
                + "content/" + escape(mediaType) + "/schema";
        validateBody(mediaType, x.responseBody(), schemaPointer, where, errors);
        return errors;
    }

    /** Problems of a JSON document against a named schema of components/schemas (e.g. an SSE event's data). */
    public List<String> schemaViolations(String schemaName, String body) {
        List<String> errors = new ArrayList<>();
        validateBody("application/json", body, "#/components/schemas/" + schemaName, schemaName, errors);
        return errors;
    }

    /** Problems of the request (body and query parameters); empty when it conforms. */
    public List<String> requestViolations(Exchange x) {
        List<String> errors = new ArrayList<>();
        Optional<Map.Entry<String, JsonNode>> pathItem = findPath(x.path());
        String method = x.method().toLowerCase(Locale.ROOT);
        JsonNode operation = pathItem.map(p -> p.getValue().get(method)).orElse(null);
        String where = x.method() + " " + x.path();
        if (operation == null) {
            errors.add(where + ": no such operation in the contract");
            return errors;
        }
        String base = "#/paths/" + escape(pathItem.get().getKey()) + "/" + method;
        List<JsonNode> parameters = new ArrayList<>();
        pathItem.get().getValue().path("parameters").forEach(parameters::add);
        operation.path("parameters").forEach(parameters::add);
        Map<String, String> query = parseQuery(x.query());
        for (JsonNode parameter : parameters) {
            JsonNode p = parameter.has("$ref") ? resolve(parameter.get("$ref").asText()) : parameter;
            if (!"query".equals(p.path("in").asText())) {
                continue;
            }
            String value = query.remove(p.get("name").asText());
            if (value == null) {
                if (p.path("required").asBoolean(false)) {
                    errors.add(where + ": required query parameter " + p.get("name").asText() + " missing");
                }
                continue;
            }
            JsonNode schema = p.get("schema");
            JsonNode typed = "integer".equals(schema.path("type").asText()) && value.matches("-?\\d+")
                    ? json.getNodeFactory().numberNode(Long.parseLong(value)) : json.getNodeFactory().textNode(value);
            ObjectNode root = document.deepCopy();
            root.set("$ref", schema.has("$ref") ? schema.get("$ref") : json.getNodeFactory().textNode("#/__inline"));
            if (!schema.has("$ref")) {
                root.set("__inline", schema);
            }
            for (ValidationMessage m : factory.getSchema(root, config).validate(typed)) {
                errors.add(where + ": query " + p.get("name").asText() + ": " + m.getMessage());
            }
        }
        if (!query.isEmpty()) {
            errors.add(where + ": undocumented query parameters " + query.keySet());
        }
        JsonNode body = operation.get("requestBody");
        if (body != null && x.requestBody() != null) {
            String mediaType = baseType(x.requestContentType());
            if (mediaType == null || !body.path("content").has(mediaType)) {
                errors.add(where + ": request content type " + x.requestContentType() + " not declared");
            } else {
                validateBody(mediaType, x.requestBody(),
                        base + "/requestBody/content/" + escape(mediaType) + "/schema", where + " (request)", errors);
            }
        }
        return errors;
    }

    private void validateBody(String contentType, String body, String schemaPointer, String where, List<String> errors) {
        String mediaType = baseType(contentType);
        if (mediaType == null || !(mediaType.endsWith("json"))) {
            return;
        }
        JsonNode instance;
        try {
            instance = json.readTree(body == null ? "" : body);
        } catch (IOException e) {
            errors.add(where + ": body is not JSON: " + e.getMessage());
            return;
        }
        if (instance == null || instance.isMissingNode()) {
            errors.add(where + ": empty body where JSON is declared");
            return;
        }
        Set<ValidationMessage> messages = schemaAt(schemaPointer).validate(instance);
        for (ValidationMessage m : messages) {
            errors.add(where + ": " + m.getMessage());
        }
    }

    private JsonSchema schemaAt(String pointer) {
        return schemas.computeIfAbsent(pointer, p -> {
            ObjectNode root = document.deepCopy();
            root.put("$ref", p);
            return factory.getSchema(root, config);
        });
    }

    private Optional<Map.Entry<String, JsonNode>> findPath(String path) {
        for (Iterator<Map.Entry<String, JsonNode>> it = document.path("paths").fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            String regex = Pattern.quote(entry.getKey()).replaceAll("\\{[^}/]+}", "\\\\E[^/]+\\\\Q");
            if (path.matches(regex)) {
                return Optional.of(entry);
            }
        }
        return Optional.empty();
    }

    private JsonNode resolve(String ref) {
        return document.at(ref.substring(1));
    }

    private static String escape(String segment) {
        return segment.replace("~", "~0").replace("/", "~1");
    }

    private static String baseType(String contentType) {
        if (contentType == null) {
            return null;
        }
        int semicolon = contentType.indexOf(';');
        return (semicolon < 0 ? contentType : contentType.substring(0, semicolon)).trim().toLowerCase(Locale.ROOT);
    }

    private static Map<String, String> parseQuery(String query) {
        Map<String, String> values = new java.util.LinkedHashMap<>();
        if (query == null || query.isEmpty()) {
            return values;
        }
        for (String pair : query.split("&")) {
            int eq = pair.indexOf('=');
            String key = java.net.URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), java.nio.charset.StandardCharsets.UTF_8);
            String value = eq < 0 ? "" : java.net.URLDecoder.decode(pair.substring(eq + 1), java.nio.charset.StandardCharsets.UTF_8);
            values.put(key, value);
        }
        return values;
    }

    private static List<String> iterable(Iterator<String> it) {
        List<String> list = new ArrayList<>();
        it.forEachRemaining(list::add);
        return list;
    }
}
