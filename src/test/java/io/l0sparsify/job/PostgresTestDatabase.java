package io.l0sparsify.job;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.UUID;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * A PostgreSQL for tests: Testcontainers' when a Docker engine is available, else the database named by
 * {@code L0_TEST_POSTGRES_URL} (a JDBC URL, credentials included), else none (the tests are skipped, saying
 * why). Every test class gets a schema of its own, dropped when the JVM ends, so runs never collide.
 */
public final class PostgresTestDatabase {

    public static final String ENV = "L0_TEST_POSTGRES_URL";
    public static final String SKIP_REASON = "no PostgreSQL: no Docker engine for Testcontainers and " + ENV
            + " is not set (e.g. jdbc:postgresql://127.0.0.1:5432/test?user=postgres)";

    private static PostgreSQLContainer container;

    private PostgresTestDatabase() {}

    /** Used by {@code @EnabledIf}: whether any PostgreSQL is available. */
    public static boolean available() {
        return envUrl() != null || DockerClientFactory.instance().isDockerAvailable();
    }

    /**
     * A fresh schema, dropped when the JVM ends.
     *
     * @param url a JDBC URL (credentials included) whose connections use the schema
     * @param name the schema's name, for Flyway
     */
    public record Schema(String url, String name) {}

    public static Schema newSchema() {
        String baseUrl = baseUrl();
        String schema = "l0test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        execute(baseUrl, "create schema " + schema);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                execute(baseUrl, "drop schema if exists " + schema + " cascade");
            } catch (RuntimeException e) {
                // best effort: the database may already be gone
            }
        }));
        return new Schema(baseUrl + (baseUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema, schema);
    }

    /** Points Spring's datasource and Flyway at a fresh schema. */
    public static void register(DynamicPropertyRegistry registry) {
        Schema fresh = newSchema();
        String url = fresh.url();
        String schema = fresh.name();
        registry.add("spring.datasource.url", () -> url);
        registry.add("spring.datasource.username", () -> container != null ? container.getUsername() : "");
        registry.add("spring.datasource.password", () -> container != null ? container.getPassword() : "");
        registry.add("spring.datasource.driver-class-name", () -> "org.postgresql.Driver");
        registry.add("spring.flyway.schemas", () -> schema);
        registry.add("spring.flyway.default-schema", () -> schema);
    }

    private static synchronized String baseUrl() {
        String env = envUrl();
        if (env != null) {
            return env;
        }
        if (container == null) {
            container = new PostgreSQLContainer("postgres:16-alpine");
            container.start();
        }
        String url = container.getJdbcUrl();
        return url + (url.contains("?") ? "&" : "?") + "user=" + container.getUsername() + "&password="
                + container.getPassword();
    }

    private static String envUrl() {
        String url = System.getenv(ENV);
        return url == null || url.isBlank() ? null : url;
    }

    private static void execute(String url, String sql) {
        try (Connection connection = DriverManager.getConnection(url); Statement statement = connection.createStatement()) {
            statement.execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("PostgreSQL at " + url.replaceAll("password=[^&]*", "password=***")
                    + ": " + e.getMessage(), e);
        }
    }
}
