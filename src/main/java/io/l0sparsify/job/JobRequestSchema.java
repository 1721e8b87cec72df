package io.l0sparsify.job;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.AnnotationKeyword;
import com.networknt.schema.ExecutionContext;
import com.networknt.schema.Format;
import com.networknt.schema.JsonMetaSchema;
import com.networknt.schema.JsonNodePath;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.NonValidationKeyword;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;

/**
 * The job request's schema as the contract states it ({@code #/components/schemas/JobRequest} of openapi.yaml,
 * JSON Schema 2020-12), read from the classpath, where the build puts the contract. Every violation becomes a
 * {@link FieldError} naming its field, all of them at once.
 *
 * <p>The validator reports every alternative of a {@code oneOf} that failed; {@link #resolve} keeps the
 * alternative the body evidently meant: the one whose JSON type fits, whose {@code type} tag (a {@code const})
 * matches, or whose required members are present. A body that fits none, or more than one, gets one error at
 * the {@code oneOf} itself.
 */
final class JobRequestSchema {

    /** networknt's validator works on Jackson 2 trees; the service's own JSON is Jackson 3. */
    private static final ObjectMapper JACKSON2 = new ObjectMapper();

    /**
     * The contract's {@code format: duration} as the service reads it ({@link Duration#parse}: PT30M, PT0.5S,
     * P2DT3H), not RFC 3339's grammar, which refuses fractions the binding takes and takes weeks it refuses.
     */
    private static final Format JAVA_DURATION = new Format() {
        @Override
        public String getName() {
            return "duration";
        }

        @Override
        public boolean matches(ExecutionContext context, String value) {
            try {
                Duration.parse(value);
                return true;
            } catch (DateTimeParseException e) {
                return false;
            }
        }
    };

    static final JobRequestSchema INSTANCE = new JobRequestSchema("/openapi.yaml", "#/components/schemas/JobRequest");

    private final com.fasterxml.jackson.databind.JsonNode contract;
    private final JsonSchema schema;

    private JobRequestSchema(String resource, String pointer) {
        try (InputStream in = JobRequestSchema.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException(resource + " is not on the classpath; the build copies it there");
            }
            contract = new ObjectMapper(new YAMLFactory()).readTree(in);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        ObjectNode root = JACKSON2.createObjectNode();
        root.put("$ref", pointer);
        root.set("components", contract.get("components"));
        // JSON Schema 2020-12 plus OpenAPI's annotations; "components" only holds the schemas $ref points to.
        // "discriminator" is left to the validator as an unknown keyword (it logs that once): registered, the
        // validator would apply its own discriminator mode, which misreads nested oneOfs; narrow() follows the
        // same const tag instead.
        JsonMetaSchema dialect = JsonMetaSchema.builder(JsonMetaSchema.getV202012())
                .keyword(new NonValidationKeyword("components"))
                .keyword(new AnnotationKeyword("example"))
                .format(JAVA_DURATION)
                .build();
        JsonSchemaFactory factory = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012,
                builder -> builder.metaSchema(dialect).defaultMetaSchemaIri(dialect.getIri()));
        schema = factory.getSchema(root, SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build());
        // resolve every $ref now: a broken contract fails the start, and first requests do not race to load it
        schema.initializeValidators();
    }

    /**
     * Checks a request body; returns it as the contract reads it (a member that is null is absent, as it always
     * was) or throws {@link JobValidationException} listing every problem.
     */
    JsonNode validate(JsonNode body) {
        if (body == null || !body.isObject()) {
            throw new JobValidationException("", "the body must be a JSON object");
        }
        // JSON has no NaN or Infinity; the parser lets them through so that they can be named here
        List<FieldError> errors = new ArrayList<>();
        JsonNode contractJson = contractCopy(body, "", errors);
        Set<String> nonFinite = errors.stream().map(FieldError::field).collect(Collectors.toSet());
        List<ValidationMessage> messages = new ArrayList<>(schema.validate(toJackson2(contractJson)));
        for (FieldError error : resolve(messages)) {
            if (!nonFinite.contains(error.field())) {
                errors.add(error);
            }
        }
        if (!errors.isEmpty()) {
            throw new JobValidationException(errors);
        }
        return contractJson;
    }

    /** The body as the contract reads it: null members dropped, each non-finite number named and replaced by 0. */
    private static JsonNode contractCopy(JsonNode node, String path, List<FieldError> errors) {
        if (node.isObject()) {
            var copy = JsonNodeFactory.instance.objectNode();
            for (Map.Entry<String, JsonNode> member : node.properties()) {
                if (!member.getValue().isNull()) {
                    copy.set(member.getKey(),
                            contractCopy(member.getValue(), FieldPaths.member(path, member.getKey()), errors));
                }
            }
            return copy;
        }
        if (node.isArray()) {
            ArrayNode copy = JsonNodeFactory.instance.arrayNode();
            for (int i = 0; i < node.size(); i++) {
                copy.add(contractCopy(node.get(i), FieldPaths.index(path, i), errors));
            }
            return copy;
        }
        if (node.isFloatingPointNumber() && !Double.isFinite(node.doubleValue())) {
            errors.add(new FieldError(path, "must be a finite number but is " + node.doubleValue()));
            return JsonNodeFactory.instance.numberNode(0);
        }
        return node;
    }

    private static com.fasterxml.jackson.databind.JsonNode toJackson2(JsonNode node) {
        try {
            return JACKSON2.readTree(JobJson.MAPPER.writeValueAsString(node));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The errors of the messages, each {@code oneOf} narrowed to the alternative the body meant. */
    private List<FieldError> resolve(List<ValidationMessage> messages) {
        Optional<ValidationMessage> outermost = messages.stream().filter(m -> m.getType().equals("oneOf"))
                .min(Comparator.comparingInt(m -> m.getEvaluationPath().getNameCount()));
        if (outermost.isEmpty()) {
            return messages.stream().map(this::describe).toList();
        }
        ValidationMessage oneOf = outermost.get();
        JsonNodePath at = oneOf.getEvaluationPath();
        Map<Integer, List<ValidationMessage>> alternatives = new LinkedHashMap<>();
        for (int i = 0; i < oneOf.getSchemaNode().size(); i++) {
            alternatives.put(i, new ArrayList<>());
        }
        List<ValidationMessage> others = new ArrayList<>();
        for (ValidationMessage m : messages) {
            if (m == oneOf) {
                continue;
            }
            // The evaluation path names the schema, not the item: every layer's oneOf has the same one, so a
            // message belongs to this alternative only when it is also about this oneOf's own value.
            if (m.getEvaluationPath().startsWith(at) && m.getEvaluationPath().getNameCount() > at.getNameCount()
                    && m.getInstanceLocation().startsWith(oneOf.getInstanceLocation())) {
                alternatives.get((Integer) m.getEvaluationPath().getElement(at.getNameCount())).add(m);
            } else {
                others.add(m);
            }
        }
        List<FieldError> errors = new ArrayList<>(resolve(others));
        errors.addAll(narrow(oneOf, alternatives));
        return errors;
    }

    private List<FieldError> narrow(ValidationMessage oneOf, Map<Integer, List<ValidationMessage>> alternatives) {
        JsonNodePath at = oneOf.getInstanceLocation();
        String field = field(at);
        Map<Integer, List<ValidationMessage>> left = new LinkedHashMap<>(alternatives);
        // an alternative for another kind of JSON value (a number where a list is expected)
        left.values().removeIf(ms -> ms.stream().anyMatch(m -> m.getType().equals("type")
                && m.getInstanceLocation().equals(at)));
        if (left.isEmpty()) {
            return List.of(new FieldError(field, "must be " + alternatives.keySet().stream()
                    .map(i -> typeName(alternative(oneOf, i).path("type").asText())).distinct()
                    .collect(Collectors.joining(" or "))));
        }
        // an alternative whose tag (a const member such as a layer's type) differs
        Map<Integer, ValidationMessage> wrongTag = new LinkedHashMap<>();
        left.forEach((i, ms) -> ms.stream().filter(m -> m.getType().equals("const")
                && at.equals(m.getInstanceLocation().getParent())).findFirst().ifPresent(m -> wrongTag.put(i, m)));
        if (!wrongTag.isEmpty() && wrongTag.size() == left.size()) {
            ValidationMessage first = wrongTag.values().iterator().next();
            String tag = first.getInstanceLocation().getName(first.getInstanceLocation().getNameCount() - 1);
            return List.of(new FieldError(field(first.getInstanceLocation()), "unknown " + tag + " '"
                    + first.getInstanceNode().asText() + "'; known " + tag + "s: " + wrongTag.values().stream()
                    .map(m -> m.getSchemaNode().asText()).collect(Collectors.joining(", "))));
        }
        left.keySet().removeAll(wrongTag.keySet());
        // an alternative whose required members are missing, when another has its members
        Map<Integer, List<ValidationMessage>> complete = new LinkedHashMap<>(left);
        complete.values().removeIf(ms -> ms.stream().anyMatch(m -> m.getType().equals("required")
                && m.getInstanceLocation().equals(at)));
        if (!complete.isEmpty()) {
            left = complete;
        } else {
            // none is complete: the one the body has begun ({"layers": [...]} without its inputShape)
            List<String> present = members(oneOf.getInstanceNode());
            Map<Integer, List<ValidationMessage>> begun = new LinkedHashMap<>(left);
            begun.keySet().removeIf(i -> members(alternative(oneOf, i).path("required")).stream()
                    .noneMatch(present::contains));
            if (begun.size() == 1) {
                left = begun;
            } else {
                // every alternative lacks the same member (a tagged object without its tag): name that member
                Set<String> common = null;
                for (List<ValidationMessage> ms : left.values()) {
                    Set<String> lacking = ms.stream()
                            .filter(m -> m.getType().equals("required") && m.getInstanceLocation().equals(at))
                            .map(ValidationMessage::getProperty).collect(Collectors.toCollection(TreeSet::new));
                    if (common == null) {
                        common = lacking;
                    } else {
                        common.retainAll(lacking);
                    }
                }
                if (common != null && !common.isEmpty()) {
                    return common.stream().map(member -> new FieldError(FieldPaths.member(field, member),
                            "is required")).toList();
                }
            }
        }
        if (left.size() == 1) {
            return resolve(left.values().iterator().next());
        }
        return List.of(new FieldError(field, "give either " + left.keySet().stream()
                .map(i -> String.join(" and ", members(alternative(oneOf, i).path("required"))))
                .collect(Collectors.joining(", or ")) + (complete.size() > 1 ? ", not both" : "")));
    }

    /** One violation in the service's words, at its field. */
    private FieldError describe(ValidationMessage m) {
        String field = field(m.getInstanceLocation());
        com.fasterxml.jackson.databind.JsonNode value = m.getInstanceNode();
        com.fasterxml.jackson.databind.JsonNode rule = m.getSchemaNode();
        String is = " but is " + (value != null && value.isTextual() ? quoted(value.asText()) : value);
        return switch (m.getType()) {
            case "required" -> new FieldError(FieldPaths.member(field, m.getProperty()), "is required");
            case "additionalProperties" -> new FieldError(FieldPaths.member(field, m.getProperty()),
                    "unknown field; allowed here: " + String.join(", ", new TreeSet<>(
                            members(contractAt(parentOf(m)).path("properties")))));
            case "type" -> new FieldError(field, field.isEmpty() ? "the body must be a JSON object"
                    : "must be " + typeName(rule.asText()));
            case "minimum" -> new FieldError(field, "must be at least " + rule + is);
            case "maximum" -> new FieldError(field, "must be at most " + rule + is);
            case "exclusiveMinimum" -> new FieldError(field, "must be greater than " + rule + is);
            case "exclusiveMaximum" -> new FieldError(field, "must be less than " + rule + is);
            case "minItems" -> new FieldError(field, "must have at least " + rule + " items");
            case "maxItems" -> new FieldError(field, "must have at most " + rule + " items");
            case "maxLength" -> new FieldError(field, "must be at most " + rule + " characters long");
            // the schema's title says in words what its pattern allows, where it has one
            case "pattern" -> new FieldError(field, "must be " + contractAt(parentOf(m)).path("title")
                    .asText("text matching " + rule.asText()) + is);
            case "format" -> new FieldError(field, "must be " + formatName(contractAt(parentOf(m))
                    .path("format").asText()) + is);
            case "const", "enum" -> new FieldError(field, "must be " + rule + is);
            default -> new FieldError(field, m.getMessage().substring(m.getMessage().indexOf(": ") + 2));
        };
    }

    /** A refused text as the problem quotes it: short enough that a megabyte sent is never a megabyte returned. */
    private static String quoted(String text) {
        int shown = 100;
        int length = text.codePointCount(0, text.length());
        if (length <= shown) {
            return "'" + text + "'";
        }
        return "'" + text.substring(0, text.offsetByCodePoints(0, shown)) + "…' (" + length + " characters in all)";
    }

    /** The branch schema of alternative i, a {@code $ref} followed. */
    private com.fasterxml.jackson.databind.JsonNode alternative(ValidationMessage oneOf, int i) {
        com.fasterxml.jackson.databind.JsonNode branch = oneOf.getSchemaNode().get(i);
        return branch.has("$ref") ? contract.at(branch.get("$ref").asText().substring(1)) : branch;
    }

    /** The schema holding the keyword that failed, in the contract. */
    private static String parentOf(ValidationMessage m) {
        String fragment = m.getSchemaLocation().getFragment().toString();
        return fragment.substring(0, fragment.lastIndexOf('/'));
    }

    private com.fasterxml.jackson.databind.JsonNode contractAt(String pointer) {
        return contract.at(pointer.startsWith("#") ? pointer.substring(1) : pointer);
    }

    private static List<String> members(com.fasterxml.jackson.databind.JsonNode node) {
        List<String> names = new ArrayList<>();
        if (node.isObject()) {
            node.fieldNames().forEachRemaining(names::add);
        } else {
            node.forEach(n -> names.add(n.asText()));
        }
        return names;
    }

    private static String field(JsonNodePath location) {
        String path = "";
        for (int i = 0; i < location.getNameCount(); i++) {
            Object element = location.getElement(i);
            path = element instanceof Integer index ? FieldPaths.index(path, index)
                    : FieldPaths.member(path, String.valueOf(element));
        }
        return path;
    }

    private static String typeName(String jsonType) {
        return switch (jsonType) {
            case "integer" -> "an integer";
            case "number" -> "a number";
            case "string" -> "a string";
            case "boolean" -> "true or false";
            case "object" -> "an object";
            case "array" -> "a list";
            default -> jsonType;
        };
    }

    private static String formatName(String format) {
        return switch (format) {
            case "duration" -> "an ISO-8601 duration such as PT30M";
            default -> "a valid " + format;
        };
    }
}
