package io.l0sparsify.api;

/** No API key with this id; answered with 404. */
final class KeyNotFoundException extends RuntimeException {

    KeyNotFoundException(String id) {
        super(NotFoundDetails.of("API key", id));
    }
}
