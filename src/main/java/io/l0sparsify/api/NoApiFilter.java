package io.l0sparsify.api;

import io.l0sparsify.ConditionalOnRole;
import io.l0sparsify.Role;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

/**
 * In a worker process ({@code l0.role=worker}) the web server exists only for the actuator (probes and
 * metrics): the controllers are not created, and this filter answers every other path, static pages such as
 * Swagger UI included, with 404, so a worker never looks like an API to whoever reaches its port.
 */
@Component
@ConditionalOnRole(Role.WORKER)
class NoApiFilter extends OncePerRequestFilter {

    private static final String BODY = "{\"type\":\"about:blank\",\"title\":\"Not Found\",\"status\":404,"
            + "\"detail\":\"this process is a worker (l0.role=worker) and serves no API; only /actuator is here\"}";

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        if (path.equals("/actuator") || path.startsWith("/actuator/")) {
            chain.doFilter(request, response);
            return;
        }
        response.setStatus(HttpStatus.NOT_FOUND.value());
        response.setContentType("application/problem+json");
        response.getOutputStream().write(BODY.getBytes(StandardCharsets.UTF_8));
    }
}
