package io.l0sparsify.api;

import io.l0sparsify.job.JobJson;
import java.io.IOException;
import java.io.InputStream;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/** Reads a JSON request body with a size limit, telling "too large" and "not JSON" apart. */
final class RequestBodies {

    private RequestBodies() {}

    static JsonNode readJson(InputStream in, long declaredLength, int limit) throws IOException {
        if (declaredLength > limit) {
            throw new PayloadTooLargeException(limit);
        }
        byte[] body = in.readNBytes(limit + 1);
        if (body.length > limit) {
            throw new PayloadTooLargeException(limit);
        }
        if (body.length == 0) {
            throw new MalformedJsonException("the request body is empty; send a JSON object");
        }
        try {
            JsonNode node = JobJson.MAPPER.readTree(body);
            if (node == null || node.isMissingNode()) {
                throw new MalformedJsonException("the request body is empty; send a JSON object");
            }
            return node;
        } catch (JacksonException e) {
            throw new MalformedJsonException("the request body is not valid JSON: " + e.getOriginalMessage()
                    + location(e));
        }
    }

    private static String location(JacksonException e) {
        if (e.getLocation() == null || e.getLocation().getLineNr() < 0) {
            return "";
        }
        return " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
    }
}
