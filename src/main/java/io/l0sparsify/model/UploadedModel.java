package io.l0sparsify.model;

import io.l0sparsify.job.JobJson;
import java.time.Instant;
import org.springframework.data.annotation.Id;

/**
 * One uploaded model as stored: a row of table {@code uploaded_model}. The original ONNX file is in the model blob store
 * under {@link #id()}.
 *
 * @param seq insertion order; the list's cursor
 * @param id the public identifier (a UUID); a job will refer to it as {@code model:ID}
 * @param uploadSha256 SHA-256 of the uploaded file
 * @param uploadSize its size in bytes
 * @param opset the default-domain opset the file was written for
 * @param parameters see {@link ModelGraph#parameters()}
 * @param flops see {@link ModelGraph#flops()}
 * @param summaryJson {@link ModelSummary} as JSON
 * @param owner the principal that uploaded it; only it and admins see it
 */
public record UploadedModel(
        @Id Long seq,
        String id,
        String name,
        ModelState state,
        String uploadSha256,
        long uploadSize,
        int opset,
        long parameters,
        long flops,
        String summaryJson,
        Instant createdAt,
        String owner) {

    /** The scheme of a job's reference to an uploaded model. */
    public static final String URI_SCHEME = "model:";

    public ModelSummary summary() {
        return JobJson.MAPPER.readValue(summaryJson, ModelSummary.class);
    }

    public String uri() {
        return URI_SCHEME + id;
    }
}
