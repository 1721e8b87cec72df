package io.l0sparsify.export;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.l0sparsify.api.OpenApiContract;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * weights.json as written validates against the schema the contract documents (openapi.yaml's
 * {@code WeightsFile}), and that schema is strict enough to reject a missing or mistyped field.
 */
class WeightsJsonSchemaTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final OpenApiContract CONTRACT = OpenApiContract.instance();

    @Test
    void writtenMlpAndLenetDocumentsValidateAgainstTheSchema() {
        for (var network : List.of(TestNetworks.mlp(31), TestNetworks.lenet(32))) {
            assertThat(CONTRACT.schemaViolations("WeightsFile", new String(
                    WeightsJson.write(network, TestNetworks.MNIST),
                    java.nio.charset.StandardCharsets.UTF_8))).isEmpty();
        }
    }

    @Test
    void schemaRejectsALayerWithoutWeights() throws Exception {
        assertThat(violations(doc -> ((ObjectNode) doc.get("layers").get(0)).remove("weight"))).isNotEmpty();
    }

    @Test
    void schemaRejectsAnUnknownLayerType() throws Exception {
        assertThat(violations(doc -> ((ObjectNode) doc.get("layers").get(1)).put("type", "sigmoid"))).isNotEmpty();
    }

    @Test
    void schemaRejectsAnotherFormatVersion() throws Exception {
        assertThat(violations(doc -> doc.put("formatVersion", 1))).isNotEmpty();
    }

    @Test
    void schemaRejectsADocumentWithoutItsPreprocessing() throws Exception {
        assertThat(violations(doc -> doc.remove("preprocessing"))).isNotEmpty();
        assertThat(violations(doc -> ((ObjectNode) doc.get("preprocessing")).put("scale", "1/255"))).isNotEmpty();
    }

    @Test
    void schemaRejectsAStringAmongTheWeights() throws Exception {
        assertThat(violations(doc -> ((ArrayNode) doc.get("layers").get(0).get("weight")).set(0, "0.5"))).isNotEmpty();
    }

    private static List<String> violations(Consumer<ObjectNode> change) throws Exception {
        ObjectNode doc = (ObjectNode) JSON.readTree(WeightsJson.write(TestNetworks.lenet(33), TestNetworks.MNIST));
        change.accept(doc);
        return CONTRACT.schemaViolations("WeightsFile", JSON.writeValueAsString(doc));
    }
}
