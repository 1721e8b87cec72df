package io.l0sparsify.security;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Authentication ({@code l0.security.*}).
 *
 * @param enabled whether requests must authenticate; false makes every request the one admin {@link Caller#LOCAL}
 *     (a private single-user deployment only)
 * @param adminKey an admin key given by the deployment (e.g. a container secret in {@code L0_SECURITY_ADMIN_KEY}),
 *     valid besides the stored keys, as principal {@value ApiKeys#BOOTSTRAP_PRINCIPAL}; never stored nor logged
 * @param bootstrapKeyFile where the first start writes the admin key it creates when there is no valid admin key
 *     and no {@code adminKey}; blank: create none
 * @param jwt how a JWT's claims map to the admin role (JWTs are accepted once Spring Boot's
 *     {@code spring.security.oauth2.resourceserver.jwt.*} configures a decoder)
 */
@ConfigurationProperties("l0.security")
public record SecurityProperties(
        @DefaultValue("true") boolean enabled,
        String adminKey,
        @DefaultValue("./data/admin-key") String bootstrapKeyFile,
        @DefaultValue Jwt jwt) {

    /**
     * @param adminScope a scope ({@code scope} or {@code scp} claim) that makes the bearer an admin
     * @param rolesClaim a claim holding a list (or a space-separated string) of roles
     * @param adminRole the role in {@code rolesClaim} that makes the bearer an admin
     */
    public record Jwt(
            @DefaultValue("l0.admin") String adminScope,
            @DefaultValue("roles") String rolesClaim,
            @DefaultValue("admin") String adminRole) {}

    public boolean hasAdminKey() {
        return adminKey != null && !adminKey.isBlank();
    }
}
