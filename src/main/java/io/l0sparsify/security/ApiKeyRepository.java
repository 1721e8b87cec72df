package io.l0sparsify.security;

import java.time.Instant;
import java.util.List;
import java.util.Optional;
import org.springframework.data.jdbc.repository.query.Modifying;
import org.springframework.data.jdbc.repository.query.Query;
import org.springframework.data.repository.ListCrudRepository;

/** SQL for the api_key table. */
interface ApiKeyRepository extends ListCrudRepository<ApiKey, Long> {

    @Query("select * from api_key where key_hash = :hash")
    Optional<ApiKey> findByHash(String hash);

    @Query("select * from api_key where id = :id")
    Optional<ApiKey> findKey(String id);

    @Query("select * from api_key order by seq")
    List<ApiKey> all();

    @Query("select count(*) from api_key where role = 'ADMIN' and revoked_at is null")
    long countValidAdmins();

    /** Keys of {@code role}, revoked ones included, that act as principal {@code name}. */
    @Query("select count(*) from api_key where name = :name and role = :role")
    long countByNameAndRole(String name, String role);

    /** Only a key used longer ago than {@code before} is written: one write a minute per key, not per request. */
    @Modifying
    @Query("update api_key set last_used_at = :now where id = :id and (last_used_at is null or last_used_at < :before)")
    int touch(String id, Instant now, Instant before);

    @Modifying
    @Query("update api_key set revoked_at = :now where id = :id and revoked_at is null")
    int revoke(String id, Instant now);
}
