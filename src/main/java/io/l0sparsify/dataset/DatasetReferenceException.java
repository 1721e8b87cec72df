package io.l0sparsify.dataset;

/** A dataset URI that does not name a usable dataset; the message says why, for the user. */
public final class DatasetReferenceException extends RuntimeException {

    public DatasetReferenceException(String message) {
        super(message);
    }
}
