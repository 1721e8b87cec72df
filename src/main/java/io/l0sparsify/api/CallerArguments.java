package io.l0sparsify.api;

import io.l0sparsify.security.Caller;
import io.l0sparsify.security.Callers;
import io.l0sparsify.security.SecurityProperties;
import java.util.List;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.core.MethodParameter;
import org.springframework.security.authentication.AuthenticationCredentialsNotFoundException;
import org.springframework.stereotype.Component;
import org.springframework.web.bind.support.WebDataBinderFactory;
import org.springframework.web.context.request.NativeWebRequest;
import org.springframework.web.method.support.HandlerMethodArgumentResolver;
import org.springframework.web.method.support.ModelAndViewContainer;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

/**
 * Gives a controller method that takes a {@link Caller} the principal of its request. The security filters have
 * authenticated every {@code /v1} request before it gets here; a request without one reaches a controller only when
 * authentication is off, and is then the one admin {@link Caller#LOCAL}.
 */
@Component
class CallerArguments implements WebMvcConfigurer, HandlerMethodArgumentResolver {

    private final boolean authenticationOn;

    CallerArguments(ObjectProvider<SecurityProperties> properties) {
        SecurityProperties configured = properties.getIfAvailable();
        this.authenticationOn = configured == null || configured.enabled();
    }

    @Override
    public void addArgumentResolvers(List<HandlerMethodArgumentResolver> resolvers) {
        resolvers.add(this);
    }

    @Override
    public boolean supportsParameter(MethodParameter parameter) {
        return parameter.getParameterType() == Caller.class;
    }

    @Override
    public Caller resolveArgument(MethodParameter parameter, ModelAndViewContainer container,
            NativeWebRequest request, WebDataBinderFactory binders) {
        return Callers.current().orElseGet(() -> {
            if (authenticationOn) {
                throw new AuthenticationCredentialsNotFoundException("no authenticated principal");
            }
            return Caller.LOCAL;
        });
    }
}
