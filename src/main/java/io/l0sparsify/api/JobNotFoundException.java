package io.l0sparsify.api;

/** No job with this id; answered with 404. */
final class JobNotFoundException extends RuntimeException {

    JobNotFoundException(String id) {
        super(NotFoundDetails.of("job", id));
    }
}
