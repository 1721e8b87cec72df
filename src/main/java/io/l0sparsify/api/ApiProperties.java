package io.l0sparsify.api;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The HTTP side ({@code l0.api.*}).
 *
 * @param maxRequestBytes largest accepted request body; larger ones get 413
 * @param defaultPageSize jobs per page when the client gives no pageSize
 * @param maxPageSize largest pageSize accepted
 * @param eventsPollInterval how often an event stream looks for changes of its job
 * @param eventsTimeout how long one event stream stays open at most (clients reconnect)
 * @param eventsHeartbeatInterval how long an event stream may stay silent before it sends a comment; a
 *     client that has gone is noticed at the next write, so this bounds how long its stream lingers
 * @param requestBodyTimeout how long a request body may take to arrive in full; a slower one gets 408, so a
 *     client trickling bytes cannot hold a request open (a single pause longer than
 *     {@code server.tomcat.connection-timeout} ends it sooner)
 */
@ConfigurationProperties("l0.api")
public record ApiProperties(Integer maxRequestBytes, Integer defaultPageSize, Integer maxPageSize,
        Duration eventsPollInterval, Duration eventsTimeout, Duration eventsHeartbeatInterval,
        Duration requestBodyTimeout) {

    public ApiProperties {
        maxRequestBytes = maxRequestBytes != null ? maxRequestBytes : 1 << 20;
        defaultPageSize = defaultPageSize != null ? defaultPageSize : 20;
        maxPageSize = maxPageSize != null ? maxPageSize : 100;
        eventsPollInterval = eventsPollInterval != null ? eventsPollInterval : Duration.ofMillis(500);
        eventsTimeout = eventsTimeout != null ? eventsTimeout : Duration.ofMinutes(30);
        eventsHeartbeatInterval = eventsHeartbeatInterval != null ? eventsHeartbeatInterval : Duration.ofSeconds(15);
        requestBodyTimeout = requestBodyTimeout != null ? requestBodyTimeout : Duration.ofSeconds(30);
    }
}
