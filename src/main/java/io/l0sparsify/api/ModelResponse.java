package io.l0sparsify.api;

import io.l0sparsify.model.GateGroup;
import io.l0sparsify.model.ModelState;
import io.l0sparsify.model.ModelSummary;
import io.l0sparsify.model.UploadedModel;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/** An uploaded model as the contract shows it (schema {@code Model} in openapi.yaml). */
record ModelResponse(
        String id,
        String uri,
        String name,
        String owner,
        ModelState state,
        Upload upload,
        long irVersion,
        int opset,
        String producer,
        ModelSummary.Tensor input,
        List<ModelSummary.Tensor> outputs,
        long parameters,
        long flops,
        List<ModelSummary.Layer> layers,
        List<GateGroup> gateGroups,
        Instant createdAt,
        Map<String, String> links) {

    /** SHA-256 and size of the uploaded file. */
    record Upload(String sha256, long sizeBytes) {}

    static ModelResponse of(UploadedModel m) {
        ModelSummary s = m.summary();
        return new ModelResponse(m.id(), m.uri(), m.name(), m.owner(), m.state(), new Upload(m.uploadSha256(), m.uploadSize()),
                s.irVersion(), s.opset(), s.producer(), s.input(), s.outputs(), m.parameters(), m.flops(), s.layers(),
                s.gateGroups(), m.createdAt(), Map.of("self", "/v1/models/" + m.id(),
                        "onnx", "/v1/models/" + m.id() + "/onnx"));
    }
}
