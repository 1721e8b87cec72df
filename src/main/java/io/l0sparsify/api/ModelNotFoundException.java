package io.l0sparsify.api;

/** No model with this id. */
class ModelNotFoundException extends RuntimeException {

    ModelNotFoundException(String id) {
        super(NotFoundDetails.of("model", id));
    }
}
