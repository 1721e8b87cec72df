package io.l0sparsify.job;

import org.springframework.data.relational.core.dialect.Dialect;
import org.springframework.data.relational.core.dialect.H2Dialect;
import org.springframework.jdbc.core.JdbcTemplate;
import org.springframework.stereotype.Component;

/**
 * Makes every commit of the embedded H2 database reach its file before the commit returns, so that what the
 * service acknowledged survives the process being killed. By default H2 keeps commits in memory for up to
 * half a second (its write delay); a job answered 202 or a cancel answered 200 in that window was lost or
 * undone by a {@code kill -9}. The setting is the database's own and persistent, so it is applied here, once
 * at start-up and before the web server takes requests, whatever URL the operator configured. PostgreSQL
 * commits durably already and is left alone.
 */
@Component
class EmbeddedDatabaseDurability {

    EmbeddedDatabaseDurability(Dialect dialect, JdbcTemplate jdbc) {
        if (dialect instanceof H2Dialect) {
            jdbc.execute("SET WRITE_DELAY 0");
        }
    }
}
