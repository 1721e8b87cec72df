package io.l0sparsify.api;

import jakarta.servlet.ServletException;
import java.io.IOException;
import org.apache.catalina.Context;
import org.apache.catalina.connector.Request;
import org.apache.catalina.connector.Response;
import org.apache.catalina.valves.ValveBase;
import org.apache.coyote.ActionCode;
import org.springframework.boot.tomcat.TomcatContextCustomizer;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Component;

/**
 * A request answered 408 had its body abandoned because it arrived too slowly. Tomcat would still drain the
 * rest of that body before closing (up to {@code server.tomcat.max-swallow-size}), at the very pace that got
 * it refused, so the connection would stay open as long as the client keeps trickling. This valve tells
 * Tomcat not to drain it: the connection closes once the answer is sent.
 */
@Component
class AbandonedBodies implements TomcatContextCustomizer {

    @Override
    public void customize(Context context) {
        context.getPipeline().addValve(new ValveBase(true) {
            @Override
            public void invoke(Request request, Response response) throws IOException, ServletException {
                getNext().invoke(request, response);
                if (response.getStatus() == HttpStatus.REQUEST_TIMEOUT.value() && !request.isAsync()) {
                    // the answer first, in full: once the connection is marked for closing it is not written
                    response.finishResponse();
                    request.getCoyoteRequest().action(ActionCode.DISABLE_SWALLOW_INPUT, null);
                }
            }
        });
    }
}
