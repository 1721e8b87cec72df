package io.l0sparsify;

import java.util.Arrays;
import java.util.Locale;

/**
 * What one process of the service does ({@code l0.role}): the same jar runs as a single machine ({@code all}),
 * as an HTTP front end that only queues and serves jobs ({@code api}), or as a worker that only claims and
 * trains them ({@code worker}); processes of any roles share one database and artifact store.
 */
public enum Role {
    /** HTTP API and worker in one process (the default). */
    ALL,
    /** HTTP API only: jobs are queued here and trained by worker processes. */
    API,
    /** Worker only: no public API; the web server serves the actuator (health, metrics) alone. */
    WORKER;

    public static final String PROPERTY = "l0.role";

    /** Reads the property's value (any case); null or blank means {@link #ALL}. */
    public static Role parse(String value) {
        if (value == null || value.isBlank()) {
            return ALL;
        }
        try {
            return valueOf(value.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException(PROPERTY + " must be one of " + Arrays.toString(values()).toLowerCase(
                    Locale.ROOT) + " but is '" + value + "'");
        }
    }

    public boolean servesApi() {
        return this != WORKER;
    }

    public boolean runsWorker() {
        return this != API;
    }
}
