package io.l0sparsify.api;

import io.l0sparsify.job.JobJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.SocketTimeoutException;
import java.time.Duration;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;

/**
 * Reads a JSON request body with a size limit and a deadline, telling "too large", "too slow" and "not JSON"
 * apart.
 */
final class RequestBodies {

    private RequestBodies() {}

    static JsonNode readJson(InputStream in, long declaredLength, int limit, Duration timeout) throws IOException {
        if (declaredLength > limit) {
            throw new PayloadTooLargeException(limit);
        }
        byte[] body = readWithin(in, limit + 1, timeout);
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

    /**
     * Up to {@code max} bytes, refused once {@code timeout} has passed. The deadline is checked between
     * reads; one read waits at most the connector's read timeout, so the whole wait is bounded by the two.
     */
    private static byte[] readWithin(InputStream in, int max, Duration timeout) throws IOException {
        long deadline = System.nanoTime() + timeout.toNanos();
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buffer = new byte[8192];
        try {
            while (body.size() < max) {
                if (System.nanoTime() - deadline > 0) {
                    throw new RequestBodyTimeoutException(timeout);
                }
                int read = in.read(buffer, 0, Math.min(buffer.length, max - body.size()));
                if (read < 0) {
                    break;
                }
                body.write(buffer, 0, read);
            }
        } catch (IOException e) {
            // the connector reports a client that paused past its read timeout as an aborted client
            if (e instanceof SocketTimeoutException || e.getCause() instanceof SocketTimeoutException) {
                throw new RequestBodyTimeoutException(timeout);
            }
            throw e;
        }
        return body.toByteArray();
    }

    private static String location(JacksonException e) {
        if (e.getLocation() == null || e.getLocation().getLineNr() < 0) {
            return "";
        }
        return " (line " + e.getLocation().getLineNr() + ", column " + e.getLocation().getColumnNr() + ")";
    }
}
