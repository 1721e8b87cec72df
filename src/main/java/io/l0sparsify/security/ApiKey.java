package io.l0sparsify.security;

import java.time.Instant;
import org.springframework.data.annotation.Id;

/**
 * One API key as stored: a row of table {@code api_key}. The key itself is never stored, only its SHA-256.
 *
 * @param seq insertion order; the list's order
 * @param id the public identifier (a UUID) by which an admin revokes it
 * @param name the principal the key authenticates as: the owner of what its requests create
 * @param keyHash hex SHA-256 of the key
 * @param keyPrefix the key's first characters, to tell keys apart in lists
 * @param lastUsedAt the last request it authenticated (updated at most once a minute); null if never used
 * @param revokedAt when it was revoked; null while it is valid
 */
public record ApiKey(
        @Id Long seq,
        String id,
        String name,
        ApiKeyRole role,
        String keyHash,
        String keyPrefix,
        Instant createdAt,
        Instant lastUsedAt,
        Instant revokedAt) {

    public boolean revoked() {
        return revokedAt != null;
    }
}
