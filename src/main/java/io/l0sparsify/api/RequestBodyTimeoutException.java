package io.l0sparsify.api;

import java.time.Duration;

/** A request body that did not arrive in full within {@code l0.api.request-body-timeout}; answered with 408. */
final class RequestBodyTimeoutException extends RuntimeException {

    RequestBodyTimeoutException(Duration timeout) {
        super("the request body did not arrive within " + timeout + "; send it at once");
    }
}
