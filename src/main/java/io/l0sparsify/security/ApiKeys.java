package io.l0sparsify.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DataAccessException;
import org.springframework.stereotype.Service;

/**
 * API keys: created (the key is returned once and only its SHA-256 kept), listed, revoked, and checked for each
 * request. A key is {@value #PREFIX} and 256 random bits in base64url: too many to search, so a plain SHA-256
 * protects the stored form as well as a slow password hash would, and a request costs one indexed lookup.
 */
@Service
public class ApiKeys {

    /** Every key starts so: it tells a key from a JWT (which has dots) and is easy to find in leaked text. */
    public static final String PREFIX = "l0k_";
    /** The principal of the first admin key, of {@code l0.security.admin-key}, and the owner of older rows. */
    public static final String BOOTSTRAP_PRINCIPAL = "admin";
    /** Principal names: what a log line, a header and a file name can carry unquoted. */
    public static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._@-]{0,199}");

    private static final Logger log = LoggerFactory.getLogger(ApiKeys.class);
    private static final int KEY_BYTES = 32;
    private static final int SHOWN_PREFIX = PREFIX.length() + 6;
    private static final Duration LAST_USED_RESOLUTION = Duration.ofMinutes(1);

    private final ApiKeyRepository repository;
    private final Clock clock;
    private final SecureRandom random = new SecureRandom();
    /** The hash of {@code l0.security.admin-key}, or null. */
    private final byte[] configuredAdminKeyHash;

    ApiKeys(ApiKeyRepository repository, Clock clock, SecurityProperties properties) {
        this.repository = repository;
        this.clock = Clock.tick(clock, Duration.of(1, ChronoUnit.MICROS));
        this.configuredAdminKeyHash = properties.hasAdminKey() ? sha256(properties.adminKey().strip()) : null;
    }

    /** A new key and, once only, its secret. */
    public record Created(ApiKey key, String secret) {}

    /** What a valid key authenticates: its principal and role, and the stored key's id (none for the configured one). */
    public record Holder(String principal, ApiKeyRole role, Optional<String> keyId) {}

    /**
     * Creates a key for principal {@code name}; the caller checks {@code name} against {@link #NAME}.
     *
     * @throws PrincipalRoleConflictException when keys of the other role (revoked ones included) already act as
     *     {@code name}: ownership goes by the principal's name, so a user key named like an admin would see
     *     everything that admin created
     */
    public Created create(String name, ApiKeyRole role) {
        if (role != ApiKeyRole.ADMIN && isAdminPrincipal(name)) {
            throw new PrincipalRoleConflictException(name, ApiKeyRole.ADMIN);
        }
        if (role == ApiKeyRole.ADMIN && repository.countByNameAndRole(name, ApiKeyRole.USER.name()) > 0) {
            throw new PrincipalRoleConflictException(name, ApiKeyRole.USER);
        }
        byte[] bytes = new byte[KEY_BYTES];
        random.nextBytes(bytes);
        String secret = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        ApiKey key = repository.save(new ApiKey(null, UUID.randomUUID().toString(), name, role,
                HexFormat.of().formatHex(sha256(secret)), secret.substring(0, SHOWN_PREFIX), clock.instant(), null,
                null));
        return new Created(key, secret);
    }

    /**
     * Whether {@code principal} is an admin's: the configured and first-start admin key's ({@link #BOOTSTRAP_PRINCIPAL},
     * which also owns rows from before authentication), or one that admin keys, revoked ones included, act as.
     */
    public boolean isAdminPrincipal(String principal) {
        // one indexed count, not a read of every key: a JWT asks on every request
        return principal.equals(BOOTSTRAP_PRINCIPAL)
                || repository.countByNameAndRole(principal, ApiKeyRole.ADMIN.name()) > 0;
    }

    /** A principal has one role: keys of the other role already act as this name. */
    public static final class PrincipalRoleConflictException extends RuntimeException {
        public PrincipalRoleConflictException(String name, ApiKeyRole existing) {
            super("principal " + name + " already has " + existing.name().toLowerCase(java.util.Locale.ROOT)
                    + " keys; a principal has one role (ownership goes by its name), so give this key another name");
        }
    }

    /** Every key, revoked ones too, oldest first. */
    public List<ApiKey> list() {
        return repository.all();
    }

    public Optional<ApiKey> find(String id) {
        return repository.findKey(id);
    }

    /**
     * Revokes a key: from now on it authenticates nothing. Revoking a revoked key changes nothing.
     *
     * @return the key as it is now; empty when there is no such key
     */
    public Optional<ApiKey> revoke(String id) {
        repository.revoke(id, clock.instant());
        return repository.findKey(id);
    }

    /** Whether a valid admin key exists (stored, or configured). */
    public boolean hasAdmin() {
        return configuredAdminKeyHash != null || repository.countValidAdmins() > 0;
    }

    /** Who the key in a request is; empty for an unknown or revoked key. */
    public Optional<Holder> authenticate(String secret) {
        byte[] hash = sha256(secret);
        if (configuredAdminKeyHash != null && MessageDigest.isEqual(hash, configuredAdminKeyHash)) {
            return Optional.of(new Holder(BOOTSTRAP_PRINCIPAL, ApiKeyRole.ADMIN, Optional.empty()));
        }
        Optional<ApiKey> key = repository.findByHash(HexFormat.of().formatHex(hash)).filter(k -> !k.revoked());
        key.ifPresent(k -> {
            Instant now = clock.instant();
            try {
                repository.touch(k.id(), now, now.minus(LAST_USED_RESOLUTION));
            } catch (DataAccessException e) {
                // when to the minute a key was last used is worth less than the request: a database that reads but
                // cannot write (a full disk) must not turn every request into an error
                log.debug("could not record the use of key {}: {}", k.id(), e.getMessage());
            }
        });
        return key.map(k -> new Holder(k.name(), k.role(), Optional.of(k.id())));
    }

    private static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this Java runtime", e);
        }
    }
}
