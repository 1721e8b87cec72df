package io.l0sparsify.api;

/** The job exists but has no artifact of this name; answered with 404. */
final class ArtifactNotFoundException extends RuntimeException {

    ArtifactNotFoundException(String jobId, String name) {
        super(NotFoundDetails.ofArtifact(jobId, name));
    }
}
