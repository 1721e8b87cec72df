package io.l0sparsify.security;

import io.l0sparsify.Role;
import jakarta.servlet.DispatcherType;
import java.util.Optional;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.annotation.web.configurers.AbstractHttpConfigurer;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.web.AuthenticationEntryPoint;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.access.AccessDeniedHandler;
import org.springframework.security.web.firewall.HttpFirewall;
import org.springframework.security.web.firewall.StrictHttpFirewall;

/**
 * Who may call what. Every {@code /v1} operation needs a bearer token (an API key or a JWT); the key endpoints and
 * the actuator beyond the probes need the admin role. Readable without a token: the probes
 * ({@code /actuator/health}, liveness, readiness), the contract and Swagger UI, and the browser console's static
 * files (the page asks for a key and sends it from JavaScript). No sessions, no cookies: every request carries
 * its token, so there is nothing for a cross-site request to ride on and CSRF tokens are not needed.
 *
 * <p>A worker process ({@code l0.role=worker}) serves only the actuator; its other paths are left to its 404
 * filter. With {@code l0.security.enabled=false} every request is the one admin {@link Caller#LOCAL}. A process
 * without a web server (the key command) has no filters to configure.
 */
@Configuration
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
class SecurityConfiguration {

    /**
     * Spring Security's firewall, except that it lets any method through: Spring MVC answers an unknown one with
     * 405 and the methods it allows, which tells a client more than the firewall's 400. Everything else it
     * refuses (encoded slashes, dot segments, ...) stays refused.
     */
    @Bean
    HttpFirewall httpFirewall() {
        StrictHttpFirewall firewall = new StrictHttpFirewall();
        firewall.setUnsafeAllowAnyHttpMethod(true);
        return firewall;
    }

    @Bean
    SecurityFilterChain securityFilterChain(HttpSecurity http, SecurityProperties properties, ApiKeys keys,
            ObjectProvider<JwtDecoder> jwtDecoder, AuthenticationEntryPoint entryPoint,
            AccessDeniedHandler accessDenied, Environment environment) throws Exception {
        http.csrf(AbstractHttpConfigurer::disable)
                .httpBasic(AbstractHttpConfigurer::disable)
                .formLogin(AbstractHttpConfigurer::disable)
                .logout(AbstractHttpConfigurer::disable)
                .requestCache(AbstractHttpConfigurer::disable)
                .sessionManagement(s -> s.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                .exceptionHandling(e -> e.authenticationEntryPoint(entryPoint).accessDeniedHandler(accessDenied));
        if (!properties.enabled()) {
            return http.authorizeHttpRequests(a -> a.anyRequest().permitAll()).build();
        }
        BearerAuthentication bearer = new BearerAuthentication(keys, Optional.ofNullable(jwtDecoder.getIfAvailable()),
                properties.jwt());
        http.oauth2ResourceServer(o -> o.authenticationManagerResolver(request -> bearer)
                .authenticationEntryPoint(entryPoint).accessDeniedHandler(accessDenied));
        boolean servesApi = Role.parse(environment.getProperty(Role.PROPERTY)).servesApi();
        http.authorizeHttpRequests(a -> {
            // the request that led to an error page or an async dispatch was authorized already
            a.dispatcherTypeMatchers(DispatcherType.ERROR, DispatcherType.ASYNC).permitAll();
            a.requestMatchers(HttpMethod.GET, "/actuator/health", "/actuator/health/liveness",
                    "/actuator/health/readiness").permitAll();
            a.requestMatchers("/actuator", "/actuator/**").hasRole(ApiKeyRole.ADMIN.name());
            if (!servesApi) {
                a.anyRequest().permitAll();
                return;
            }
            a.requestMatchers(HttpMethod.GET, "/", "/index.html", "/favicon.ico", "/console/**", "/webjars/**",
                    "/assets/**", "/openapi.yaml", "/swagger-ui.html", "/swagger-ui/**", "/v3/api-docs",
                    "/v3/api-docs/**").permitAll();
            a.requestMatchers("/v1/keys", "/v1/keys/**").hasRole(ApiKeyRole.ADMIN.name());
            a.anyRequest().authenticated();
        });
        return http.build();
    }
}
