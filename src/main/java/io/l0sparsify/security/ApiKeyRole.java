package io.l0sparsify.security;

import java.util.Locale;
import java.util.Optional;

/** What a key may do: {@code user} works with its own jobs, datasets and models; {@code admin} with everyone's. */
public enum ApiKeyRole {
    USER,
    ADMIN;

    /** The Spring Security authority of this role ({@code ROLE_ADMIN}, {@code ROLE_USER}). */
    public String authority() {
        return "ROLE_" + name();
    }

    /** As the API writes it: {@code user}, {@code admin}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** {@code user} or {@code admin} (any case); empty for anything else. */
    public static Optional<ApiKeyRole> parse(String text) {
        for (ApiKeyRole role : values()) {
            if (role.name().equalsIgnoreCase(text)) {
                return Optional.of(role);
            }
        }
        return Optional.empty();
    }
}
