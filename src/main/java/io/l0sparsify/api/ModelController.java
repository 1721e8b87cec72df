package io.l0sparsify.api;

import io.l0sparsify.ConditionalOnRole;
import io.l0sparsify.Role;
import io.l0sparsify.job.FieldError;
import io.l0sparsify.job.JobValidationException;
import io.l0sparsify.model.ModelService;
import io.l0sparsify.model.UploadedModel;
import io.l0sparsify.security.Caller;
import io.l0sparsify.security.Quotas;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.core.io.InputStreamResource;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.DeleteMapping;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.multipart.MultipartFile;
import org.springframework.web.multipart.MultipartHttpServletRequest;

/**
 * {@code /v1/models}: upload a trained ONNX model (multipart with a {@code file} part and an optional {@code name}
 * field, or the file as a binary body with {@code ?name=}), which is read and checked before the answer; list,
 * read, download and delete uploaded models. A model is its uploader's: any other caller but an admin gets 404 for
 * it and never sees it in a list. An upload past the uploader's storage quota is refused before it is kept.
 */
@ConditionalOnRole({Role.ALL, Role.API})
@RestController
@RequestMapping(path = "/v1/models", produces = MediaType.APPLICATION_JSON_VALUE)
class ModelController {

    static final MediaType ONNX = MediaType.parseMediaType("application/onnx");

    private final ModelService models;
    private final ApiProperties properties;
    private final Quotas quotas;
    private final Audited audit;

    ModelController(ModelService models, ApiProperties properties, Quotas quotas, Audited audit) {
        this.models = models;
        this.properties = properties;
        this.quotas = quotas;
        this.audit = audit;
    }

    /** {@code curl -F file=@model.onnx -F name=lenet .../v1/models}. */
    @PostMapping(consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    ResponseEntity<ModelResponse> uploadMultipart(MultipartHttpServletRequest request, Caller caller)
            throws IOException {
        try {
            unknownParameters(request.getParameterMap().keySet(), List.of("name"));
            MultipartFile file = request.getFile("file");
            if (file == null) {
                throw new JobValidationException("file", "is required: the ONNX file as a part named 'file'");
            }
            quotas.admitUpload(caller, file.getSize());
            try (InputStream in = file.getInputStream()) {
                return created(models.upload(in, file.getSize(), request.getParameter("name"),
                        file.getOriginalFilename(), caller.principal(), size -> quotas.admitUpload(caller, size)),
                        caller);
            }
        } catch (IOException | RuntimeException e) {
            audit.failed(caller, "model.upload", "-", e);
            throw e;
        }
    }

    /** {@code curl --data-binary @model.onnx -H 'Content-Type: application/octet-stream' '...?name=lenet'}. */
    @PostMapping(consumes = {MediaType.APPLICATION_OCTET_STREAM_VALUE, "application/onnx"})
    ResponseEntity<ModelResponse> uploadBinary(HttpServletRequest request, @RequestParam Map<String, String> query,
            Caller caller) throws IOException {
        try {
            unknownParameters(query.keySet(), List.of("name"));
            // the announced length before a byte is read; the whole file again once it has arrived
            quotas.admitUpload(caller, request.getContentLengthLong());
            return created(models.upload(request.getInputStream(), request.getContentLengthLong(), query.get("name"),
                    null, caller.principal(), size -> quotas.admitUpload(caller, size)), caller);
        } catch (IOException | RuntimeException e) {
            audit.failed(caller, "model.upload", "-", e);
            throw e;
        }
    }

    private ResponseEntity<ModelResponse> created(UploadedModel model, Caller caller) {
        audit.ok(caller, "model.upload", "model:" + model.id(), "created");
        return ResponseEntity.created(URI.create("/v1/models/" + model.id())).body(ModelResponse.of(model));
    }

    @GetMapping
    ModelListResponse list(@RequestParam(required = false) Integer pageSize,
            @RequestParam(required = false) String pageToken, Caller caller) {
        int size = pageSize != null ? pageSize : properties.defaultPageSize();
        if (size < 1 || size > properties.maxPageSize()) {
            throw new JobValidationException("pageSize", "must be between 1 and " + properties.maxPageSize()
                    + " but is " + size);
        }
        ModelService.ModelPage page = models.list(size, pageToken, caller);
        return new ModelListResponse(page.items().stream().map(ModelResponse::of).toList(), page.nextPageToken());
    }

    @GetMapping("/{id}")
    ModelResponse get(@PathVariable String id, Caller caller) {
        return ModelResponse.of(models.find(id, caller).orElseThrow(() -> new ModelNotFoundException(id)));
    }

    /** The file as uploaded, byte for byte. */
    @GetMapping(path = "/{id}/onnx", produces = "application/onnx")
    ResponseEntity<InputStreamResource> download(@PathVariable String id, Caller caller) throws IOException {
        UploadedModel model = models.find(id, caller).orElseThrow(() -> new ModelNotFoundException(id));
        InputStream in = models.open(id, caller).orElseThrow(() -> new ModelNotFoundException(id));
        return ResponseEntity.ok().contentType(ONNX).contentLength(model.uploadSize())
                .eTag("\"" + model.uploadSha256() + "\"")
                .header(HttpHeaders.CONTENT_DISPOSITION, ContentDisposition.attachment()
                        .filename(model.id() + ".onnx").build().toString())
                .body(new InputStreamResource(in));
    }

    /** 409 while queued or running jobs read the model (none can yet: jobs do not refer to models so far). */
    @DeleteMapping("/{id}")
    ResponseEntity<Void> delete(@PathVariable String id, Caller caller) throws IOException {
        try {
            if (!models.delete(id, caller)) {
                throw new ModelNotFoundException(id);
            }
        } catch (IOException | RuntimeException e) {
            audit.failed(caller, "model.delete", "model:" + id, e);
            throw e;
        }
        audit.ok(caller, "model.delete", "model:" + id, "deleted");
        return ResponseEntity.status(HttpStatus.NO_CONTENT).build();
    }

    private static void unknownParameters(Iterable<String> names, List<String> known) {
        List<FieldError> errors = new ArrayList<>();
        for (String name : names) {
            if (!known.contains(name)) {
                errors.add(new FieldError(name, "is not a parameter of a model upload; known: "
                        + String.join(", ", known)));
            }
        }
        if (!errors.isEmpty()) {
            throw new JobValidationException(errors);
        }
    }
}
