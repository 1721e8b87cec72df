package io.l0sparsify.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.l0sparsify.L0SparsifyApplication;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.test.system.CapturedOutput;
import org.springframework.boot.test.system.OutputCaptureExtension;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * A newcomer's first start: with no admin key anywhere the service makes one, writes it to a file only its owner
 * may read, and names the file (never the key) in the log; the next start leaves it alone. And the command that
 * creates a key from the command line.
 */
@ExtendWith(OutputCaptureExtension.class)
class AdminKeyBootstrapTest {

    private static ConfigurableApplicationContext start(Path dir, String database) {
        return new SpringApplicationBuilder(L0SparsifyApplication.class).run("--server.port=0",
                "--spring.main.web-application-type=none", "--l0.worker.enabled=false",
                "--spring.datasource.url=jdbc:h2:file:" + dir.resolve(database) + ";DB_CLOSE_ON_EXIT=FALSE",
                "--l0.security.admin-key=", "--l0.security.bootstrap-key-file=" + dir.resolve("secret/admin-key"),
                "--l0.storage.dir=" + dir.resolve("artifacts"), "--l0.datasets.upload.dir=" + dir.resolve("uploads"),
                "--l0.models.upload-dir=" + dir.resolve("model-uploads"));
    }

    @Test
    void theFirstStartWritesAnAdminKeyOnlyItsOwnerMayReadAndLogsWhereNotWhat(@TempDir Path dir,
            CapturedOutput output) throws IOException {
        Path file = dir.resolve("secret/admin-key");
        String key;
        try (ConfigurableApplicationContext first = start(dir, "first")) {
            key = Files.readString(file).strip();
            ApiKeys keys = first.getBean(ApiKeys.class);
            assertThat(keys.authenticate(key)).hasValueSatisfying(holder -> {
                assertThat(holder.principal()).isEqualTo(ApiKeys.BOOTSTRAP_PRINCIPAL);
                assertThat(holder.role()).isEqualTo(ApiKeyRole.ADMIN);
            });
        }
        assertThat(key).matches("l0k_[A-Za-z0-9_-]{43}");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file))).isEqualTo("rw-------");
        assertThat(output.getOut()).contains(file.toString()).doesNotContain(key);

        try (ConfigurableApplicationContext second = start(dir, "first")) {
            assertThat(Files.readString(file).strip()).as("an admin key exists: nothing new").isEqualTo(key);
            assertThat(second.getBean(ApiKeys.class).list()).hasSize(1);
        }
    }

    @Test
    void theKeyCommandPrintsANewKeyOnceAndExits(@TempDir Path dir) throws Exception {
        List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java")
                .toString(), "-cp", System.getProperty("java.class.path"), L0SparsifyApplication.class.getName(),
                "--spring.main.web-application-type=none", "--l0.worker.enabled=false", "--l0.role=api",
                "--spring.main.banner-mode=off", "--logging.level.root=WARN",
                "--spring.datasource.url=jdbc:h2:file:" + dir.resolve("db") + ";DB_CLOSE_ON_EXIT=FALSE",
                "--l0.storage.dir=" + dir.resolve("artifacts"), "--l0.datasets.upload.dir=" + dir.resolve("uploads"),
                "--l0.models.upload-dir=" + dir.resolve("model-uploads"), "--l0.keys.create=alice",
                "--l0.keys.role=admin"));
        Process process = new ProcessBuilder(command).redirectError(dir.resolve("err.log").toFile()).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(process.exitValue()).as(Files.readString(dir.resolve("err.log"))).isZero();
        String key = out.strip();
        assertThat(key).matches("l0k_[A-Za-z0-9_-]{43}");
        assertThat(Files.readString(dir.resolve("err.log"))).contains("created admin key").doesNotContain(key);

        try (ConfigurableApplicationContext service = new SpringApplicationBuilder(L0SparsifyApplication.class)
                .run("--spring.main.web-application-type=none", "--l0.worker.enabled=false",
                        "--spring.datasource.url=jdbc:h2:file:" + dir.resolve("db") + ";DB_CLOSE_ON_EXIT=FALSE",
                        "--l0.storage.dir=" + dir.resolve("artifacts"),
                        "--l0.datasets.upload.dir=" + dir.resolve("uploads"),
                        "--l0.models.upload-dir=" + dir.resolve("model-uploads"))) {
            assertThat(service.getBean(ApiKeys.class).authenticate(key)).hasValueSatisfying(holder -> {
                assertThat(holder.principal()).isEqualTo("alice");
                assertThat(holder.role()).isEqualTo(ApiKeyRole.ADMIN);
            });
        }
        Process refused = new ProcessBuilder(command.stream().map(a -> a.equals("--l0.keys.role=admin")
                ? "--l0.keys.role=root" : a).toList()).redirectErrorStream(true).start();
        String said = new String(refused.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(refused.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(refused.exitValue()).isEqualTo(2);
        assertThat(said).contains("l0.keys.role: must be user or admin");
    }
}
