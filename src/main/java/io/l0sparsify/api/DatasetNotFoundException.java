package io.l0sparsify.api;

/** No dataset with the id in the path; answered with 404. */
final class DatasetNotFoundException extends RuntimeException {

    DatasetNotFoundException(String id) {
        super(NotFoundDetails.of("dataset", id));
    }
}
