package io.l0sparsify.security;

import java.util.Optional;
import org.springframework.security.authentication.AnonymousAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.context.SecurityContextHolder;

/** The {@link Caller} of the request being handled, from Spring Security's context. */
public final class Callers {

    private Callers() {}

    /** The authenticated caller of this thread's request; empty when it did not authenticate. */
    public static Optional<Caller> current() {
        return of(SecurityContextHolder.getContext().getAuthentication());
    }

    static Optional<Caller> of(Authentication authentication) {
        if (authentication == null || !authentication.isAuthenticated()
                || authentication instanceof AnonymousAuthenticationToken) {
            return Optional.empty();
        }
        boolean admin = authentication.getAuthorities().stream()
                .anyMatch(a -> ApiKeyRole.ADMIN.authority().equals(a.getAuthority()));
        return Optional.of(new Caller(authentication.getName(), admin));
    }
}
