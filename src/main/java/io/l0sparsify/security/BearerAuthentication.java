package io.l0sparsify.security;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import org.springframework.security.authentication.AuthenticationManager;
import org.springframework.security.authentication.UsernamePasswordAuthenticationToken;
import org.springframework.security.core.Authentication;
import org.springframework.security.core.GrantedAuthority;
import org.springframework.security.core.authority.SimpleGrantedAuthority;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.server.resource.InvalidBearerTokenException;
import org.springframework.security.oauth2.server.resource.authentication.BearerTokenAuthenticationToken;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationConverter;
import org.springframework.security.oauth2.server.resource.authentication.JwtAuthenticationProvider;

/**
 * Authenticates the token of {@code Authorization: Bearer TOKEN}: an API key (it starts with
 * {@value ApiKeys#PREFIX}) against the stored keys, anything else as a JWT when a decoder is configured (Spring
 * Boot's {@code spring.security.oauth2.resourceserver.jwt.*}: issuer, JWK set or public key). A JWT's subject is the
 * principal; it is an admin when its scopes hold {@code l0.security.jwt.admin-scope} or its
 * {@code l0.security.jwt.roles-claim} holds {@code l0.security.jwt.admin-role}. The decoder checks signature,
 * expiry, not-before and (with an issuer) the issuer.
 */
final class BearerAuthentication implements AuthenticationManager {

    /** The width of the owner columns (V8). */
    private static final int MAX_PRINCIPAL = 200;

    private final ApiKeys keys;
    private final Optional<JwtAuthenticationProvider> jwt;

    BearerAuthentication(ApiKeys keys, Optional<JwtDecoder> decoder, SecurityProperties.Jwt claims) {
        this.keys = keys;
        this.jwt = decoder.map(d -> {
            JwtAuthenticationProvider provider = new JwtAuthenticationProvider(d);
            JwtAuthenticationConverter converter = new JwtAuthenticationConverter();
            converter.setJwtGrantedAuthoritiesConverter(token -> authorities(token, claims));
            provider.setJwtAuthenticationConverter(converter);
            return provider;
        });
    }

    @Override
    public Authentication authenticate(Authentication authentication) {
        String token = ((BearerTokenAuthenticationToken) authentication).getToken();
        if (token.startsWith(ApiKeys.PREFIX)) {
            ApiKeys.Holder holder = keys.authenticate(token)
                    .orElseThrow(() -> new InvalidBearerTokenException("unknown or revoked API key"));
            UsernamePasswordAuthenticationToken result = UsernamePasswordAuthenticationToken.authenticated(
                    holder.principal(), null, roles(holder.role() == ApiKeyRole.ADMIN));
            result.setDetails(holder.keyId().orElse("configured"));
            return result;
        }
        if (jwt.isEmpty()) {
            throw new InvalidBearerTokenException("not an API key, and this service accepts no JWTs (no issuer is"
                    + " configured)");
        }
        Authentication result = jwt.get().authenticate(authentication);
        String subject = result.getName();
        if (subject == null || subject.isBlank() || subject.length() > MAX_PRINCIPAL) {
            throw new InvalidBearerTokenException("the token's subject must be 1 to " + MAX_PRINCIPAL + " characters");
        }
        // JWT subjects and key names are one namespace and ownership goes by the name: a non-admin token whose
        // subject an admin's keys act as would see everything that admin created
        boolean admin = result.getAuthorities().stream()
                .anyMatch(a -> ApiKeyRole.ADMIN.authority().equals(a.getAuthority()));
        if (!admin && keys.isAdminPrincipal(subject)) {
            throw new InvalidBearerTokenException("the token's subject is an admin principal of this service, but the"
                    + " token does not carry the admin role");
        }
        return result;
    }

    private static Collection<GrantedAuthority> authorities(Jwt token, SecurityProperties.Jwt claims) {
        List<String> granted = new ArrayList<>(words(token.getClaim("scope")));
        granted.addAll(words(token.getClaim("scp")));
        boolean admin = granted.contains(claims.adminScope())
                || words(token.getClaim(claims.rolesClaim())).contains(claims.adminRole());
        return roles(admin);
    }

    /** A claim that is a list of strings or one space-separated string (OAuth2 scopes come either way). */
    private static List<String> words(Object claim) {
        if (claim instanceof String text) {
            return List.of(text.trim().split("\\s+"));
        }
        if (claim instanceof Collection<?> items) {
            return items.stream().map(String::valueOf).toList();
        }
        return List.of();
    }

    private static List<GrantedAuthority> roles(boolean admin) {
        List<GrantedAuthority> roles = new ArrayList<>();
        roles.add(new SimpleGrantedAuthority(ApiKeyRole.USER.authority()));
        if (admin) {
            roles.add(new SimpleGrantedAuthority(ApiKeyRole.ADMIN.authority()));
        }
        return roles;
    }
}
