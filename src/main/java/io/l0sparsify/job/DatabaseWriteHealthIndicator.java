package io.l0sparsify.job;

import javax.sql.DataSource;
import org.springframework.boot.health.contributor.AbstractHealthIndicator;
import org.springframework.boot.health.contributor.Health;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Readiness that writes: the job database answers reads long after it can no longer keep a write (an embedded
 * database on a full disk reopens read-only), and a service that accepts jobs it cannot keep is not ready. Each
 * check updates one row ({@code database_probe}); a failure makes the check DOWN, and the next check that writes
 * again makes it UP, so the service comes back by itself once space returns. Part of the readiness group
 * ({@code management.endpoint.health.group.readiness.include}).
 */
@Component("databaseWrite")
class DatabaseWriteHealthIndicator extends AbstractHealthIndicator {

    private static final int PROBE_TIMEOUT_SECONDS = 5;

    private final JdbcTemplate jdbc;

    DatabaseWriteHealthIndicator(DataSource dataSource) {
        super("the job database cannot keep a write");
        this.jdbc = new JdbcTemplate(dataSource);
        // a probe that waits on a lock is an answer too (not ready), and must not hold a pooled connection long
        this.jdbc.setQueryTimeout(PROBE_TIMEOUT_SECONDS);
    }

    @Override
    protected void doHealthCheck(Health.Builder builder) {
        int updated = jdbc.update("update database_probe set probes = probes + 1 where id = 1");
        if (updated != 1) {
            builder.down().withDetail("reason", "the probe row is missing");
            return;
        }
        builder.up();
    }
}
