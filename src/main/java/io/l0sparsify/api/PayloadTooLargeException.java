package io.l0sparsify.api;

/** A request body over {@code l0.api.max-request-bytes}; answered with 413. */
final class PayloadTooLargeException extends RuntimeException {

    PayloadTooLargeException(long limit) {
        super("the request body exceeds the limit of " + limit + " bytes");
    }
}
