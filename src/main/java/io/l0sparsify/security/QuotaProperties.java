package io.l0sparsify.security;

import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Limits per principal ({@code l0.quotas.*}); 0 turns a limit off. Past one the request is refused with 429 and
 * {@code Retry-After}, before anything is stored.
 *
 * @param maxActiveJobs QUEUED plus RUNNING jobs
 * @param maxStoredBytes bytes of uploaded datasets (their stored form) and models together
 * @param submitsPerMinute job submissions per minute (a token bucket: this many at once, then one every
 *     60/N seconds)
 * @param retryAfter what {@code Retry-After} says for the job and storage quotas, which free up when jobs finish or
 *     something is deleted, at a time the service cannot know
 * @param adminsExempt whether admins are not limited
 */
@ConfigurationProperties("l0.quotas")
public record QuotaProperties(
        @DefaultValue("20") int maxActiveJobs,
        @DefaultValue("20GB") DataSize maxStoredBytes,
        @DefaultValue("30") int submitsPerMinute,
        @DefaultValue("PT60S") Duration retryAfter,
        @DefaultValue("true") boolean adminsExempt) {

    public QuotaProperties {
        if (maxActiveJobs < 0 || submitsPerMinute < 0 || maxStoredBytes.isNegative()) {
            throw new IllegalArgumentException("l0.quotas: limits are 0 (none) or positive");
        }
        if (retryAfter.isNegative() || retryAfter.isZero()) {
            throw new IllegalArgumentException("l0.quotas.retry-after: must be positive but is " + retryAfter);
        }
    }
}
