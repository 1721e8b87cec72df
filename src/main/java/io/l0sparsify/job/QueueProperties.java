package io.l0sparsify.job;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

/**
 * The job queue shared by all workers ({@code l0.queue.*}).
 *
 * @param leaseDuration how long a claim holds without being renewed; a worker renews it at least every third
 *     of this while it runs a job, and a job whose lease ran out (its worker died) is claimed again by any
 *     worker. Shorter: faster recovery from a lost worker; longer: more tolerance for database pauses.
 */
@ConfigurationProperties("l0.queue")
public record QueueProperties(Duration leaseDuration) {

    public QueueProperties {
        leaseDuration = leaseDuration != null ? leaseDuration : Duration.ofSeconds(30);
        if (leaseDuration.isNegative() || leaseDuration.isZero()) {
            throw new IllegalArgumentException("l0.queue.lease-duration must be positive but is " + leaseDuration);
        }
    }
}
