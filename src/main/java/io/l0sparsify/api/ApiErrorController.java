package io.l0sparsify.api;

import jakarta.servlet.RequestDispatcher;
import jakarta.servlet.http.HttpServletRequest;
import java.net.URI;
import org.springframework.boot.webmvc.error.ErrorController;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * The servlet container's error page ({@code server.error.path}, {@code /error}), in place of Spring Boot's:
 * an error the container reports itself (one that never reached a controller) gets the API's problem shape,
 * and a client asking for {@code /error} directly, with no error to report, gets the 404 of any unknown path
 * rather than a 500 with status 999. Present in every role: a worker's error page is the same.
 */
@RestController
class ApiErrorController implements ErrorController {

    @RequestMapping("${server.error.path:${error.path:/error}}")
    ResponseEntity<ProblemDetail> error(HttpServletRequest request) {
        HttpStatus status = request.getAttribute(RequestDispatcher.ERROR_STATUS_CODE) instanceof Integer code
                ? HttpStatus.resolve(code) : null;
        ResponseEntity<ProblemDetail> response;
        if (causedByTheDatabase(request.getAttribute(RequestDispatcher.ERROR_EXCEPTION))) {
            // a filter that needed the database (the security filters look up API keys) found it unusable: the
            // same answer as a controller gives, so a client retries instead of reporting a server fault
            response = ApiExceptionHandler.databaseUnavailableProblem();
        } else if (status == null || status == HttpStatus.NOT_FOUND || !status.isError()) {
            response = ApiExceptionHandler.problem(HttpStatus.NOT_FOUND, ProblemTypes.NOT_FOUND, "Not Found",
                    ApiExceptionHandler.NO_SUCH_RESOURCE);
        } else {
            // the same fixed sentences as the errors Tomcat answers before any servlet: never the exception's
            // message, which may name a class or a file of the server
            response = ApiExceptionHandler.problem(status, ContainerErrorReports.typeOf(status.value()),
                    status.getReasonPhrase(), ContainerErrorReports.detailOf(status.value()));
        }
        // the request that failed, as its client sent it (like every other problem's instance), not /error
        if (request.getAttribute(RequestDispatcher.ERROR_REQUEST_URI) instanceof String uri) {
            try {
                response.getBody().setInstance(URI.create(uri));
            } catch (IllegalArgumentException notAUri) {
                // left out rather than quoted: Spring fills in the error page's own path
            }
        }
        return response;
    }

    private static boolean causedByTheDatabase(Object error) {
        for (Throwable cause = error instanceof Throwable t ? t : null; cause != null; cause = cause.getCause()) {
            if (ApiExceptionHandler.isDatabaseUnavailable(cause)) {
                return true;
            }
        }
        return false;
    }
}
