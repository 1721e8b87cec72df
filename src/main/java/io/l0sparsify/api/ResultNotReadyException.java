package io.l0sparsify.api;

/** The result of a job that has not SUCCEEDED; answered with 409. */
final class ResultNotReadyException extends RuntimeException {

    ResultNotReadyException(String message) {
        super(message);
    }
}
