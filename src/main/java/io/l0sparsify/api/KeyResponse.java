package io.l0sparsify.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.l0sparsify.security.ApiKey;
import java.time.Instant;

/**
 * An API key as the contract shows it (schemas {@code ApiKey} and, with {@code key}, {@code CreatedApiKey}): never
 * the key itself, except in the answer that created it.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
record KeyResponse(
        String id,
        String name,
        String role,
        String prefix,
        Instant createdAt,
        @JsonInclude(JsonInclude.Include.ALWAYS) Instant lastUsedAt,
        @JsonInclude(JsonInclude.Include.ALWAYS) Instant revokedAt,
        String key) {

    static KeyResponse of(ApiKey k) {
        return new KeyResponse(k.id(), k.name(), k.role().wireName(), k.keyPrefix(), k.createdAt(), k.lastUsedAt(),
                k.revokedAt(), null);
    }

    static KeyResponse created(ApiKey k, String secret) {
        return new KeyResponse(k.id(), k.name(), k.role().wireName(), k.keyPrefix(), k.createdAt(), k.lastUsedAt(),
                k.revokedAt(), secret);
    }
}
