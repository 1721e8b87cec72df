package io.l0sparsify.api;

import java.io.IOException;
import java.io.PrintWriter;
import java.net.URI;
import org.apache.catalina.Container;
import org.apache.catalina.Lifecycle;
import org.apache.catalina.Valve;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.core.StandardHost;
import org.apache.catalina.valves.ErrorReportValve;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.tomcat.servlet.TomcatServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * Tomcat answers some requests before any servlet sees them: a path with an encoded slash, backslash or dot
 * segment, invalid percent-encoding or characters, a request line or headers past their limits, a malformed
 * chunked body. Its error report valve writes those answers, as an HTML page that may quote the request and an
 * exception's message; this replaces it, on the host of every role, with {@link ProblemReportValve}, so that
 * they are problem+json like every other error of the API.
 */
@Component
class ContainerErrorReports implements WebServerFactoryCustomizer<TomcatServletWebServerFactory> {

    @Override
    public void customize(TomcatServletWebServerFactory factory) {
        factory.addContextCustomizers(context -> {
            if (context.getParent() instanceof StandardHost host) {
                // the host adds a valve of this class when it starts, and none of Tomcat's own
                host.setErrorReportValveClass(ProblemReportValve.class.getName());
                // Spring Boot adds a plain ErrorReportValve of its own (server.error.include-stacktrace=never);
                // it is taken out before the first request, whichever customizer ran first
                context.addLifecycleListener(event -> {
                    if (Lifecycle.BEFORE_START_EVENT.equals(event.getType())) {
                        removeOtherReportValves(host);
                    }
                });
            }
        });
    }

    private static void removeOtherReportValves(Container host) {
        for (Valve valve : host.getPipeline().getValves()) {
            if (valve instanceof ErrorReportValve && !(valve instanceof ProblemReportValve)) {
                host.getPipeline().removeValve(valve);
            }
        }
    }

    /**
     * Writes an error the container raised without a servlet's answer as a problem+json. Its detail is one of a
     * few fixed sentences per status: it never quotes the request (its path may hold a client's text) nor an
     * exception (whose message may name a class or a file of the server).
     */
    public static final class ProblemReportValve extends ErrorReportValve {

        private static final Logger log = LoggerFactory.getLogger(ProblemReportValve.class);

        public ProblemReportValve() {
            setShowReport(false);
            setShowServerInfo(false);
        }

        @Override
        protected void report(Request request, Response response, Throwable throwable) {
            int code = response.getStatus();
            // an error page (api/ApiErrorController) or a handler already wrote the answer
            if (code < 400 || response.getContentWritten() > 0 || !response.setErrorReported()) {
                return;
            }
            HttpStatus status = HttpStatus.resolve(code);
            if (throwable != null && (status == null || status.is5xxServerError())) {
                log.error("unhandled error before the API could answer", throwable);
            }
            try {
                response.setContentType("application/problem+json");
                response.setCharacterEncoding("UTF-8");
                PrintWriter writer = response.getReporter();
                if (writer != null) {
                    writer.write(json(code, status));
                    response.finishResponse();
                }
            } catch (IOException | IllegalStateException e) {
                // the client left, or the response cannot take a body any more: nothing more to tell anyone
                log.debug("could not write the problem of a {} response", code, e);
            }
        }

        static String json(int code, HttpStatus status) {
            URI type = ContainerErrorReports.typeOf(code);
            String title = status != null ? status.getReasonPhrase() : "Error";
            return "{\"type\":\"" + type + "\",\"title\":\"" + title + "\",\"status\":" + code
                    + ",\"detail\":\"" + detailOf(code) + "\"}";
        }
    }

    /**
     * The problem type of an error the container raised itself. 501 (a transfer encoding it does not implement)
     * and 505 (an HTTP version it does not speak) are the client's doing despite their class: not internal errors.
     */
    static URI typeOf(int status) {
        return switch (status) {
            case 400, 414, 431, 501, 505 -> ProblemTypes.BAD_REQUEST;
            default -> {
                HttpStatus resolved = HttpStatus.resolve(status);
                yield resolved != null ? ApiExceptionHandler.typeOf(resolved)
                        : status >= 500 ? ProblemTypes.INTERNAL : ProblemTypes.BAD_REQUEST;
            }
        };
    }

    /** A fixed sentence per status; none quotes the request or the server. */
    static String detailOf(int status) {
        return switch (status) {
            case 400 -> "the request is not acceptable HTTP: a malformed request line, header or body framing, or a"
                    + " path with an encoded slash or backslash, a dot segment, a path parameter or invalid"
                    + " percent-encoding";
            case 404 -> ApiExceptionHandler.NO_SUCH_RESOURCE;
            case 405 -> "the method is not allowed here";
            case 408 -> "the request did not arrive in time";
            case 413 -> "the request body is too large";
            case 414 -> "the request line is too long";
            case 431 -> "the request headers are too large";
            case 501 -> "the request uses a method or transfer encoding this server does not implement";
            case 505 -> "the HTTP version is not supported; use HTTP/1.1";
            default -> status >= 500 ? "the server could not handle this request; it has been logged"
                    : "the request could not be handled";
        };
    }
}
