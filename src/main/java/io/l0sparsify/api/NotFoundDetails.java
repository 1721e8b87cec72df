package io.l0sparsify.api;

import java.util.regex.Pattern;

/**
 * The detail of a 404 for an id taken from the path. An id of the shape the API gives out is quoted, so a client
 * sees which it asked for; anything else (a path's worth of dots and slashes, control characters, markup) is not
 * repeated back.
 */
final class NotFoundDetails {

    private static final Pattern ID_SHAPE = Pattern.compile("[A-Za-z0-9_-]{1,64}");
    private static final Pattern NAME_SHAPE = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,127}");

    private NotFoundDetails() {}

    static String of(String kind, String id) {
        return id != null && ID_SHAPE.matcher(id).matches() ? "no " + kind + " with id '" + id + "'"
                : "no " + kind + " with this id";
    }

    /** The detail for a job that has no artifact of the name asked for. */
    static String ofArtifact(String jobId, String name) {
        return "job " + jobId + " has no artifact" + (name != null && NAME_SHAPE.matcher(name).matches()
                ? " '" + name + "'" : " of this name");
    }
}
