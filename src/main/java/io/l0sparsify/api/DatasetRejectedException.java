package io.l0sparsify.api;

/** An upload whose ingestion the client waited for, and which FAILED; answered with 422 and the reason. */
final class DatasetRejectedException extends RuntimeException {

    DatasetRejectedException(String reason) {
        super(reason);
    }
}
