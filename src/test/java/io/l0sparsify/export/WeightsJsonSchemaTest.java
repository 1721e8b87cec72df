package io.l0sparsify.export;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.github.fge.jsonschema.core.report.ProcessingReport;
import com.github.fge.jsonschema.main.JsonSchema;
import com.github.fge.jsonschema.main.JsonSchemaFactory;
import java.nio.file.Path;
import java.util.function.Consumer;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * weights.json as written validates against the documented schema, and the schema is strict enough to
 * reject a document with a missing or mistyped field. The validator (draft 4, from the test classpath's
 * OpenAPI tooling) reads the keywords the fragment uses: type, required, enum, minimum, oneOf, $ref.
 */
class WeightsJsonSchemaTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static JsonSchema schema;

    @BeforeAll
    static void loadSchema() throws Exception {
        JsonNode fragment = new YAMLMapper().readTree(Path.of("docs/weights-json.schema.yaml").toFile());
        schema = JsonSchemaFactory.byDefault().getJsonSchema(fragment, "/components/schemas/WeightsFile");
    }

    @Test
    void writtenMlpAndLenetDocumentsValidateAgainstTheSchema() throws Exception {
        for (var network : java.util.List.of(TestNetworks.mlp(31), TestNetworks.lenet(32))) {
            ProcessingReport report = schema.validate(JSON.readTree(WeightsJson.write(network)));

            assertTrue(report.isSuccess(), report.toString());
        }
    }

    @Test
    void schemaRejectsALayerWithoutWeights() throws Exception {
        assertFalse(validates(doc -> ((ObjectNode) doc.get("layers").get(0)).remove("weight")));
    }

    @Test
    void schemaRejectsAnUnknownLayerType() throws Exception {
        assertFalse(validates(doc -> ((ObjectNode) doc.get("layers").get(1)).put("type", "sigmoid")));
    }

    @Test
    void schemaRejectsAnotherFormatVersion() throws Exception {
        assertFalse(validates(doc -> doc.put("formatVersion", 2)));
    }

    @Test
    void schemaRejectsAStringAmongTheWeights() throws Exception {
        assertFalse(validates(doc -> ((ArrayNode) doc.get("layers").get(0).get("weight")).set(0, "0.5")));
    }

    private static boolean validates(Consumer<ObjectNode> change) throws Exception {
        ObjectNode doc = (ObjectNode) JSON.readTree(WeightsJson.write(TestNetworks.lenet(33)));
        change.accept(doc);
        return schema.validate(doc).isSuccess();
    }
}
