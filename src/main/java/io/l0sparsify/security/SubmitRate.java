package io.l0sparsify.security;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Submissions per minute per principal, as a token bucket: a principal may submit {@code perMinute} jobs at once,
 * then one more every {@code 60 s / perMinute}. Kept in this process's memory: with several API processes each
 * allows the rate (put them behind one address that routes a principal to one process, or divide the rate).
 */
final class SubmitRate {

    private final int perMinute;
    private final Clock clock;
    private final Map<String, Bucket> buckets = new ConcurrentHashMap<>();

    SubmitRate(int perMinute, Clock clock) {
        this.perMinute = perMinute;
        this.clock = clock;
    }

    /** Tokens and when they were last counted; one per principal, changed under its own lock. */
    private static final class Bucket {
        double tokens;
        long updatedNanos;

        Bucket(double tokens, long updatedNanos) {
            this.tokens = tokens;
            this.updatedNanos = updatedNanos;
        }
    }

    /** Takes a token for {@code principal}; empty when it had one, else how long until it has. */
    Optional<Duration> take(String principal) {
        long now = nanos();
        Bucket bucket = buckets.computeIfAbsent(principal, p -> new Bucket(perMinute, now));
        synchronized (bucket) {
            double perNano = perMinute / (double) Duration.ofMinutes(1).toNanos();
            bucket.tokens = Math.min(perMinute, bucket.tokens + (now - bucket.updatedNanos) * perNano);
            bucket.updatedNanos = now;
            if (bucket.tokens >= 1) {
                bucket.tokens -= 1;
                return Optional.empty();
            }
            return Optional.of(Duration.ofNanos((long) Math.ceil((1 - bucket.tokens) / perNano)));
        }
    }

    private long nanos() {
        Instant now = clock.instant();
        return now.getEpochSecond() * 1_000_000_000L + now.getNano();
    }
}
