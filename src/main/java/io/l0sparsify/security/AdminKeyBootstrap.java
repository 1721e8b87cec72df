package io.l0sparsify.security;

import io.l0sparsify.ConditionalOnRole;
import io.l0sparsify.Role;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileSystems;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;

/**
 * The first start of a service that has no valid admin key (and none configured) creates one for principal
 * {@value ApiKeys#BOOTSTRAP_PRINCIPAL} and writes it to {@code l0.security.bootstrap-key-file} (default
 * {@code ./data/admin-key}), readable by the file's owner only; the log says where, never the key. A newcomer runs
 * {@code scripts/run} and reads the key from that file. Once an admin key exists nothing happens, so revoking it
 * and restarting gives a new one only when no other admin key is left.
 */
@Component
@ConditionalOnRole({Role.ALL, Role.API})
@Order(10)
class AdminKeyBootstrap implements ApplicationRunner {

    private static final Logger log = LoggerFactory.getLogger(AdminKeyBootstrap.class);

    private final ApiKeys keys;
    private final SecurityProperties properties;
    private final AuditLog audit;

    AdminKeyBootstrap(ApiKeys keys, SecurityProperties properties, AuditLog audit) {
        this.keys = keys;
        this.properties = properties;
        this.audit = audit;
    }

    @Override
    public void run(ApplicationArguments args) throws IOException {
        if (!properties.enabled()) {
            log.warn("authentication is OFF (l0.security.enabled=false): every request acts as admin; only for a"
                    + " service nobody else can reach");
            return;
        }
        if (keys.hasAdmin() || properties.bootstrapKeyFile() == null || properties.bootstrapKeyFile().isBlank()) {
            return;
        }
        Path file = Path.of(properties.bootstrapKeyFile()).toAbsolutePath().normalize();
        ApiKeys.Created created = keys.create(ApiKeys.BOOTSTRAP_PRINCIPAL, ApiKeyRole.ADMIN);
        try {
            writeOwnerOnly(file, created.secret() + "\n");
        } catch (IOException | RuntimeException e) {
            // a key nobody holds would count as the admin key and stop every later start from making one
            keys.revoke(created.key().id());
            throw e;
        }
        audit.record(new Caller(ApiKeys.BOOTSTRAP_PRINCIPAL, true), "key.create", "key:" + created.key().id(),
                "created-at-first-start");
        log.info("no admin API key existed: created one (id {}) and wrote it to {} (readable by its owner only);"
                + " send it as 'Authorization: Bearer KEY'", created.key().id(), file);
    }

    /** Writes a new file that only its owner may read, then moves it into place. */
    static void writeOwnerOnly(Path file, String text) throws IOException {
        Files.createDirectories(file.getParent());
        Path temporary = file.resolveSibling("." + file.getFileName() + ".tmp");
        Files.deleteIfExists(temporary);
        if (FileSystems.getDefault().supportedFileAttributeViews().contains("posix")) {
            Files.createFile(temporary, PosixFilePermissions.asFileAttribute(
                    PosixFilePermissions.fromString("rw-------")));
        } else {
            Files.createFile(temporary);
            java.io.File plain = temporary.toFile();
            plain.setReadable(false, false);
            plain.setWritable(false, false);
            plain.setReadable(true, true);
            plain.setWritable(true, true);
        }
        try (OutputStream out = Files.newOutputStream(temporary)) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        }
        Files.move(temporary, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
