package io.l0sparsify.api;

import java.net.URI;

/**
 * The stable {@code type} URIs of this API's problem details (RFC 9457). Clients may switch on them; they
 * never change meaning. Each is listed with its status in openapi.yaml.
 */
final class ProblemTypes {

    static final URI MALFORMED_JSON = uri("malformed-json");
    static final URI BAD_REQUEST = uri("bad-request");
    static final URI VALIDATION = uri("validation-error");
    static final URI PAYLOAD_TOO_LARGE = uri("payload-too-large");
    static final URI REQUEST_TIMEOUT = uri("request-timeout");
    static final URI UNSUPPORTED_MEDIA_TYPE = uri("unsupported-media-type");
    static final URI NOT_ACCEPTABLE = uri("not-acceptable");
    static final URI METHOD_NOT_ALLOWED = uri("method-not-allowed");
    static final URI NOT_FOUND = uri("not-found");
    static final URI JOB_NOT_FOUND = uri("job-not-found");
    static final URI DATASET_NOT_FOUND = uri("dataset-not-found");
    static final URI DATASET_IN_USE = uri("dataset-in-use");
    static final URI DATASET_INVALID = uri("dataset-invalid");
    static final URI ARTIFACT_NOT_FOUND = uri("artifact-not-found");
    static final URI JOB_STATE_CONFLICT = uri("job-state-conflict");
    static final URI IDEMPOTENCY_KEY_REUSED = uri("idempotency-key-reused");
    static final URI INTERNAL = uri("internal-error");
    static final URI DATABASE_UNAVAILABLE = uri("database-unavailable");
    static final URI MODEL_NOT_FOUND = uri("model-not-found");
    static final URI MODEL_INVALID = uri("model-invalid");
    static final URI MODEL_IN_USE = uri("model-in-use");
    static final URI UNAUTHORIZED = uri("unauthorized");
    static final URI FORBIDDEN = uri("forbidden");
    static final URI QUOTA_EXCEEDED = uri("quota-exceeded");
    static final URI RATE_LIMITED = uri("rate-limited");
    static final URI KEY_NOT_FOUND = uri("key-not-found");

    private ProblemTypes() {}

    private static URI uri(String slug) {
        return URI.create("urn:l0-sparsify:problem:" + slug);
    }
}
