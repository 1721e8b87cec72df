package io.l0sparsify.api;

/** A request body that is not JSON at all; answered with 400. */
final class MalformedJsonException extends RuntimeException {

    MalformedJsonException(String message) {
        super(message);
    }
}
