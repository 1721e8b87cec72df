package io.l0sparsify.e2e;

import io.l0sparsify.L0SparsifyApplication;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.awaitility.Awaitility;
import org.awaitility.core.ConditionTimeoutException;

/**
 * The application in a JVM of its own, on the classpath of this test run, so that a test can kill it as an
 * operator's {@code kill -9} would: no shutdown hook, no graceful anything.
 */
final class ServiceProcess implements AutoCloseable {

    private final Process process;
    private final Path log;
    private final int port;

    private ServiceProcess(Process process, Path log, int port) {
        this.process = process;
        this.log = log;
        this.port = port;
    }

    /** Starts the service on a free port with {@code args}; its output goes to {@code log}. */
    static ServiceProcess start(Path log, List<String> args) throws IOException {
        int port = freePort();
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-Xmx512m", "-Dai.djl.offline=true"));
        String djlCache = System.getProperty("DJL_CACHE_DIR");
        if (djlCache != null) {
            command.add("-DDJL_CACHE_DIR=" + djlCache);
        }
        command.addAll(List.of("-cp", System.getProperty("java.class.path"), L0SparsifyApplication.class.getName()));
        command.addAll(args);
        command.add("--server.port=" + port);
        Files.createDirectories(log.getParent());
        Process process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        return new ServiceProcess(process, log, port);
    }

    int port() {
        return port;
    }

    /** Waits until readiness answers 200; fails with the log's tail when the process exits first. */
    ServiceProcess awaitReady(Duration timeout) {
        try {
            Awaitility.await("the service to be ready").atMost(timeout).pollInterval(Duration.ofMillis(100))
                    .until(() -> {
                        if (!process.isAlive()) {
                            throw new AssertionError("the service exited while starting" + logTail());
                        }
                        return ready();
                    });
        } catch (ConditionTimeoutException e) {
            throw new AssertionError("the service did not become ready" + logTail(), e);
        }
        return this;
    }

    /** SIGKILL, then waits for the process to be gone. */
    void kill() throws InterruptedException {
        process.destroyForcibly().waitFor();
    }

    String logTail() {
        try {
            String text = Files.readString(log, StandardCharsets.UTF_8);
            return "\n--- " + log.getFileName() + " ---\n" + text.substring(Math.max(0, text.length() - 3000));
        } catch (IOException e) {
            return "\n(no log: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() throws InterruptedException {
        kill();
    }

    private boolean ready() {
        return ready(port);
    }

    /** Whether the service on the port is ready: a plain request, not a contract exchange (503 while starting). */
    static boolean ready(int port) {
        try (HttpClient client = HttpClient.newHttpClient()) {
            HttpRequest probe = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/actuator/health/readiness")).timeout(Duration.ofSeconds(5)).build();
            return client.send(probe, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }
}
