package io.l0sparsify.job;

import com.zaxxer.hikari.SQLExceptionOverride;
import java.sql.SQLException;

/**
 * Tells the connection pool to drop a connection to the embedded H2 database once that database has closed itself.
 * H2 closes the database when a write fails (a full disk), and every connection opened before answers "database
 * is closed" from then on; the pool, which only evicts connections on network errors, would keep handing those
 * out forever. Dropped, they are replaced by new connections that reopen the database, so the service recovers by
 * itself once the disk has room again. Other databases' errors are left to the pool's own judgement.
 *
 * <p>Named by {@code spring.datasource.hikari.exception-override-class-name}; the pool makes it by its public
 * no-argument constructor.
 */
public final class EmbeddedDatabaseConnections implements SQLExceptionOverride {

    /** H2's "General error", which wraps the store's failed write. */
    private static final int H2_GENERAL_ERROR = 50000;
    /** H2's "The database has been closed". */
    private static final int H2_DATABASE_IS_CLOSED = 90098;

    @java.lang.Override // the interface's own Override enum shadows the annotation's simple name
    public Override adjudicate(SQLException e) {
        boolean fromH2 = e.getClass().getName().startsWith("org.h2.");
        if (fromH2 && (e.getErrorCode() == H2_DATABASE_IS_CLOSED || e.getErrorCode() == H2_GENERAL_ERROR)) {
            return Override.MUST_EVICT;
        }
        return Override.CONTINUE_EVICT;
    }
}
