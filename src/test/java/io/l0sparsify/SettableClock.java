package io.l0sparsify;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.concurrent.atomic.AtomicReference;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/**
 * The system clock moved forward by as much as a test has {@linkplain #advance advanced} it: time that must
 * pass for the service (a lease running out) passes at once, while timestamps still follow real time and so
 * keep their order. Put it in a test's context with {@code @Import(SettableClock.InContext.class)}.
 */
public final class SettableClock extends Clock {

    private final Clock base;
    private final AtomicReference<Duration> advancedBy;

    public SettableClock() {
        this(Clock.systemUTC(), new AtomicReference<>(Duration.ZERO));
    }

    private SettableClock(Clock base, AtomicReference<Duration> advancedBy) {
        this.base = base;
        this.advancedBy = advancedBy;
    }

    /** Moves this clock forward; never backward, since the service's timestamps must not run back. */
    public void advance(Duration duration) {
        if (duration.isNegative()) {
            throw new IllegalArgumentException("a clock runs forward only, not by " + duration);
        }
        advancedBy.accumulateAndGet(duration, Duration::plus);
    }

    @Override
    public Instant instant() {
        return base.instant().plus(advancedBy.get());
    }

    @Override
    public ZoneId getZone() {
        return base.getZone();
    }

    @Override
    public Clock withZone(ZoneId zone) {
        // The copy shares the offset: advancing either advances both.
        return new SettableClock(base.withZone(zone), advancedBy);
    }

    /** Replaces the service's clock (the one bean every lease and timestamp reads) in a test's context. */
    @TestConfiguration(proxyBeanMethods = false)
    public static class InContext {

        @Bean
        @Primary
        SettableClock settableClock() {
            return new SettableClock();
        }
    }
}
