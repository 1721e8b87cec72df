package io.l0sparsify.security;

import java.util.Objects;

/**
 * Who makes a request: the principal (an API key's name, or a JWT's subject) and whether it holds the admin role.
 * Jobs, datasets and models belong to the principal that created them; another principal is told they do not
 * exist (404, never 403, so ids cannot be probed), an admin sees all of them.
 *
 * @param principal the owner recorded on what this caller creates
 * @param admin whether the caller may see and change everyone's resources and manage keys
 */
public record Caller(String principal, boolean admin) {

    /** The caller of a deployment without authentication ({@code l0.security.enabled=false}): one admin. */
    public static final Caller LOCAL = new Caller(ApiKeys.BOOTSTRAP_PRINCIPAL, true);

    public Caller {
        Objects.requireNonNull(principal, "principal");
        if (principal.isBlank()) {
            throw new IllegalArgumentException("a principal is not blank");
        }
    }

    /** Whether a resource owned by {@code owner} exists for this caller. */
    public boolean sees(String owner) {
        return admin || principal.equals(owner);
    }

    /** The owner a list is restricted to: null (everyone's) for an admin, else this principal. */
    public String ownerFilter() {
        return admin ? null : principal;
    }
}
