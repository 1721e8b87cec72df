package io.l0sparsify.dataset;

/**
 * A dataset reference that does not name a usable dataset; the message says why, for the user, and the field
 * names the member of the job's {@code dataset} it is about ({@code dataset.uri} unless another is to blame).
 */
public final class DatasetReferenceException extends RuntimeException {

    private final String field;

    public DatasetReferenceException(String message) {
        this("dataset.uri", message);
    }

    public DatasetReferenceException(String field, String message) {
        super(message);
        this.field = field;
    }

    /** The request member the refusal is about, e.g. {@code dataset.sha256}. */
    public String field() {
        return field;
    }
}
