package io.l0sparsify.dataset;

import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.springframework.data.jdbc.repository.query.Modifying;
import org.springframework.data.jdbc.repository.query.Query;
import org.springframework.data.repository.ListCrudRepository;

/**
 * SQL for the dataset table. Leaving INGESTING is a conditional update ({@code ... where state = 'INGESTING'})
 * returning the rows it changed, so an ingestion that ends after its dataset was deleted, or was declared
 * interrupted, changes nothing and knows it.
 */
interface DatasetRepository extends ListCrudRepository<Dataset, Long> {

    @Query("select * from dataset where id = :id")
    Optional<Dataset> findDataset(String id);

    @Query("select * from dataset where seq < :before order by seq desc limit :limit")
    List<Dataset> page(long before, int limit);

    @Query("select * from dataset where state = :state and seq < :before order by seq desc limit :limit")
    List<Dataset> pageInState(String state, long before, int limit);

    @Query("select * from dataset where owner = :owner and seq < :before order by seq desc limit :limit")
    List<Dataset> pageOwned(String owner, long before, int limit);

    @Query("select * from dataset where owner = :owner and state = :state and seq < :before order by seq desc"
            + " limit :limit")
    List<Dataset> pageOwnedInState(String owner, String state, long before, int limit);

    @Query("select coalesce(sum(case when state = 'READY' then canonical_size else upload_size end), 0)"
            + " from dataset where owner = :owner and state <> 'FAILED'")
    long storedBytes(String owner);

    @Modifying
    @Query("update dataset set state = 'READY', canonical_sha256 = :sha256, canonical_size = :size,"
            + " summary_json = :summary, updated_at = :now where id = :id and state = 'INGESTING'")
    int markReady(String id, String sha256, long size, String summary, Instant now);

    @Modifying
    @Query("update dataset set state = 'FAILED', failure_reason = :reason, updated_at = :now"
            + " where id = :id and state = 'INGESTING'")
    int markFailed(String id, String reason, Instant now);

    /** The heartbeat of ingestions still alive in this process. */
    @Modifying
    @Query("update dataset set updated_at = :now where state = 'INGESTING' and id in (:ids)")
    int touch(Collection<String> ids, Instant now);

    /** Ingestions nobody has shown alive since {@code before}: their process ended. */
    @Modifying
    @Query("update dataset set state = 'FAILED', failure_reason = :reason, updated_at = :now"
            + " where state = 'INGESTING' and updated_at < :before")
    int failStale(Instant before, String reason, Instant now);

    @Modifying
    @Query("delete from dataset where id = :id")
    int deleteDataset(String id);
}
