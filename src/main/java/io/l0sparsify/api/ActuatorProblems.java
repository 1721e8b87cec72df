package io.l0sparsify.api;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;
import org.springframework.web.util.ContentCachingResponseWrapper;

/**
 * The actuator answers some errors with a status and no body at all (an unknown metric, an unknown health
 * group); this gives them the problem+json every other error of the service has. Its answers are small (probes,
 * metrics), so they are held until the endpoint is done to see whether it wrote anything. Present in every role.
 */
@Component
class ActuatorProblems extends OncePerRequestFilter {

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String path = request.getRequestURI().substring(request.getContextPath().length());
        return !(path.equals("/actuator") || path.startsWith("/actuator/"));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest request, HttpServletResponse response, FilterChain chain)
            throws ServletException, IOException {
        ContentCachingResponseWrapper held = new ContentCachingResponseWrapper(response);
        // an exception goes on to the error page (api/ApiErrorController) with nothing of this answer written
        chain.doFilter(request, held);
        int status = held.getStatus();
        if (status >= 400 && held.getContentSize() == 0 && !response.isCommitted()) {
            held.setContentType("application/problem+json");
            held.getOutputStream().write(ContainerErrorReports.ProblemReportValve.json(status,
                    HttpStatus.resolve(status)).getBytes(StandardCharsets.UTF_8));
        }
        held.copyBodyToResponse();
    }
}
