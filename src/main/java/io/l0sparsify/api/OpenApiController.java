package io.l0sparsify.api;

import io.l0sparsify.ConditionalOnRole;
import io.l0sparsify.Role;
import java.io.IOException;
import java.io.InputStream;
import org.springframework.core.io.ClassPathResource;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/** Serves the hand-written contract (the build copies openapi.yaml onto the classpath). */
@ConditionalOnRole({Role.ALL, Role.API})
@RestController
class OpenApiController {

    private static final MediaType YAML = MediaType.parseMediaType("application/yaml");

    @GetMapping(path = "/openapi.yaml", produces = "application/yaml")
    ResponseEntity<byte[]> contract() throws IOException {
        try (InputStream in = new ClassPathResource("openapi.yaml").getInputStream()) {
            return ResponseEntity.ok().contentType(YAML).body(in.readAllBytes());
        }
    }
}
