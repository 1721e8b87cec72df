package io.l0sparsify.api;

import org.apache.coyote.ProtocolHandler;
import org.apache.tomcat.util.threads.VirtualThreadExecutor;
import org.springframework.boot.tomcat.TomcatProtocolHandlerCustomizer;
import org.springframework.stereotype.Component;

/**
 * Tomcat serves every request on a virtual thread of its own instead of a fixed pool of 200. A client that
 * sends its body one byte at a time then parks a virtual thread, not one of a few platform threads, so a
 * crowd of slow clients cannot starve the probes and every other request. How long each may hold on is
 * bounded apart from this: {@code l0.api.request-body-timeout} and {@code server.tomcat.connection-timeout};
 * how many at once by {@code server.tomcat.max-connections}. Only request handling moves to virtual
 * threads ({@code spring.threads.virtual.enabled} stays off): training and the worker keep their own threads.
 */
@Component
class VirtualRequestThreads implements TomcatProtocolHandlerCustomizer<ProtocolHandler> {

    @Override
    public void customize(ProtocolHandler protocolHandler) {
        protocolHandler.setExecutor(new VirtualThreadExecutor("l0-http-"));
    }
}
