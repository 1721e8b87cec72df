package io.l0sparsify.api;

import io.l0sparsify.ConditionalOnRole;
import io.l0sparsify.Role;
import io.l0sparsify.job.FieldError;
import io.l0sparsify.job.JobValidationException;
import io.l0sparsify.security.ApiKeyRole;
import io.l0sparsify.security.ApiKeys;
import io.l0sparsify.security.Caller;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/**
 * {@code /v1/keys}, for admins only (the security filters refuse others with 403): create a key (its secret is in
 * this one answer and nowhere else), list keys, read one, revoke one. A revoked key stays in the list with the
 * time it was revoked.
 */
@ConditionalOnRole({Role.ALL, Role.API})
@RestController
@RequestMapping(path = "/v1/keys", produces = MediaType.APPLICATION_JSON_VALUE)
class KeyController {

    private final ApiKeys keys;
    private final ApiProperties properties;
    private final Audited audit;

    KeyController(ApiKeys keys, ApiProperties properties, Audited audit) {
        this.keys = keys;
        this.properties = properties;
        this.audit = audit;
    }

    /** The body of a create: the principal's name and, optionally, its role. */
    private record NewKey(String name, ApiKeyRole role) {}

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<KeyResponse> create(HttpServletRequest request, Caller caller) throws IOException {
        ApiKeys.Created created;
        try {
            NewKey asked = parse(RequestBodies.readJson(request.getInputStream(), request.getContentLengthLong(),
                    properties.maxRequestBytes(), properties.requestBodyTimeout()));
            try {
                created = keys.create(asked.name(), asked.role());
            } catch (ApiKeys.PrincipalRoleConflictException e) {
                throw new JobValidationException(List.of(new FieldError("name", e.getMessage())));
            }
        } catch (IOException | RuntimeException e) {
            audit.failed(caller, "key.create", "-", e);
            throw e;
        }
        audit.ok(caller, "key.create", "key:" + created.key().id(), "created");
        return ResponseEntity.created(URI.create("/v1/keys/" + created.key().id()))
                .body(KeyResponse.created(created.key(), created.secret()));
    }

    @GetMapping
    Map<String, List<KeyResponse>> list() {
        return Map.of("items", keys.list().stream().map(KeyResponse::of).toList());
    }

    @GetMapping("/{id}")
    KeyResponse get(@PathVariable String id) {
        return KeyResponse.of(keys.find(id).orElseThrow(() -> new KeyNotFoundException(id)));
    }

    /** Revokes the key; revoking a revoked key again changes nothing and answers the same. */
    @DeleteMapping("/{id}")
    ResponseEntity<Void> revoke(@PathVariable String id, Caller caller) {
        try {
            keys.revoke(id).orElseThrow(() -> new KeyNotFoundException(id));
        } catch (RuntimeException e) {
            audit.failed(caller, "key.revoke", "key:" + id, e);
            throw e;
        }
        audit.ok(caller, "key.revoke", "key:" + id, "revoked");
        return ResponseEntity.status(HttpStatus.NO_CONTENT).build();
    }

    private static NewKey parse(JsonNode body) {
        if (!body.isObject()) {
            throw new JobValidationException("", "must be a JSON object {\"name\": ..., \"role\": \"user\"}");
        }
        List<FieldError> errors = new ArrayList<>();
        for (String field : body.propertyNames()) {
            if (!field.equals("name") && !field.equals("role")) {
                errors.add(new FieldError(field, "is not a field of a key; known: name, role"));
            }
        }
        JsonNode name = body.get("name");
        if (name == null || !name.isString() || !ApiKeys.NAME.matcher(name.asString()).matches()) {
            errors.add(new FieldError("name", "is required: the principal the key acts as, 1 to 200 letters,"
                    + " digits, '.', '_', '@', '-', starting with a letter or digit"));
        }
        JsonNode roleText = body.get("role");
        Optional<ApiKeyRole> role = roleText == null ? Optional.of(ApiKeyRole.USER)
                : roleText.isString() ? ApiKeyRole.parse(roleText.asString()) : Optional.empty();
        if (role.isEmpty()) {
            errors.add(new FieldError("role", "must be user or admin"));
        }
        if (!errors.isEmpty()) {
            throw new JobValidationException(errors);
        }
        return new NewKey(name.asString(), role.get());
    }
}
