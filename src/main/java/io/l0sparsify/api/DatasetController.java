package io.l0sparsify.api;

import io.l0sparsify.ConditionalOnRole;
import io.l0sparsify.Role;
import io.l0sparsify.dataset.Dataset;
import io.l0sparsify.dataset.DatasetPage;
import io.l0sparsify.dataset.DatasetService;
import io.l0sparsify.dataset.DatasetState;
import io.l0sparsify.dataset.DatasetUpload;
import io.l0sparsify.dataset.DatasetUploadRules;
import io.l0sparsify.dataset.DatasetUploads;
import io.l0sparsify.dataset.DatasetValidationException;
import io.l0sparsify.dataset.ReceivedUpload;
import io.l0sparsify.job.FieldError;
import io.l0sparsify.job.JobJson;
import io.l0sparsify.security.Caller;
import io.l0sparsify.security.Quotas;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.Part;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletionException;
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
import tools.jackson.core.JacksonException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code /v1/datasets}: upload a dataset (multipart with a {@code metadata} part, or a binary body with query
 * parameters), list, read and delete uploaded datasets. A dataset is its uploader's: any other caller but an admin
 * gets 404 for it and never sees it in a list. An upload past the uploader's storage quota is refused before
 * anything of it is kept.
 */
@ConditionalOnRole({Role.ALL, Role.API})
@RestController
@RequestMapping(path = "/v1/datasets", produces = MediaType.APPLICATION_JSON_VALUE)
class DatasetController {

    /** The largest metadata part read. */
    private static final int MAX_METADATA_BYTES = 64 << 10;
    /** The query parameters a binary upload takes for the format's options. */
    private static final List<String> FORMAT_OPTIONS = List.of("layout", "labelColumn", "labels", "height", "width",
            "colour");

    private final DatasetService datasets;
    private final DatasetUploads uploads;
    private final ApiProperties properties;
    private final Quotas quotas;
    private final Audited audit;

    DatasetController(DatasetService datasets, DatasetUploads uploads, ApiProperties properties, Quotas quotas,
            Audited audit) {
        this.datasets = datasets;
        this.uploads = uploads;
        this.properties = properties;
        this.quotas = quotas;
        this.audit = audit;
    }

    /** {@code curl -F file=@x.npz -F 'metadata={...};type=application/json'}. */
    @PostMapping(consumes = MediaType.MULTIPART_FORM_DATA_VALUE)
    ResponseEntity<DatasetResponse> uploadMultipart(MultipartHttpServletRequest request,
            @RequestParam(required = false) Boolean wait, Caller caller) throws IOException, ServletException {
        try {
            ResponseEntity<DatasetResponse> response = receiveMultipart(request, wait, caller);
            audit.ok(caller, "dataset.upload", "dataset:" + response.getBody().id(), "accepted");
            return response;
        } catch (IOException | ServletException | RuntimeException e) {
            audit.failed(caller, "dataset.upload", "-", e);
            throw e;
        }
    }

    private ResponseEntity<DatasetResponse> receiveMultipart(MultipartHttpServletRequest request, Boolean wait,
            Caller caller) throws IOException, ServletException {
        JsonNode metadata = metadata(request);
        DatasetUpload upload = DatasetUploadRules.check(metadata);
        MultipartFile file = request.getFile("file");
        if (file == null) {
            throw new DatasetValidationException(List.of(new FieldError("file",
                    "is required: the dataset file as a part named 'file'")));
        }
        quotas.admitUpload(caller, file.getSize());
        ReceivedUpload received;
        try (InputStream in = file.getInputStream()) {
            received = uploads.receive(in, file.getSize(), file.getOriginalFilename(), upload.format());
        }
        return accept(upload, received, Boolean.TRUE.equals(wait), caller);
    }

    /** {@code curl --data-binary @x.npz -H 'Content-Type: application/octet-stream' '...?name=x&format=npz'}. */
    @PostMapping(consumes = MediaType.APPLICATION_OCTET_STREAM_VALUE)
    ResponseEntity<DatasetResponse> uploadBinary(HttpServletRequest request,
            @RequestParam Map<String, String> query, Caller caller) throws IOException {
        try {
            ResponseEntity<DatasetResponse> response = receiveBinary(request, query, caller);
            audit.ok(caller, "dataset.upload", "dataset:" + response.getBody().id(), "accepted");
            return response;
        } catch (IOException | RuntimeException e) {
            audit.failed(caller, "dataset.upload", "-", e);
            throw e;
        }
    }

    private ResponseEntity<DatasetResponse> receiveBinary(HttpServletRequest request, Map<String, String> query,
            Caller caller) throws IOException {
        JsonNode metadata = metadataFromQuery(query);
        DatasetUpload upload;
        try {
            upload = DatasetUploadRules.check(metadata);
        } catch (DatasetValidationException e) {
            // the query's names, not the JSON paths of the multipart metadata
            throw new DatasetValidationException(e.errors().stream()
                    .map(error -> new FieldError(queryName(error.field()), error.message())).toList());
        }
        // the announced length is checked before a byte is read; a body of unknown length once it has arrived
        quotas.admitUpload(caller, request.getContentLengthLong());
        ReceivedUpload received = uploads.receive(request.getInputStream(), request.getContentLengthLong(),
                query.get("filename"), upload.format());
        return accept(upload, received, "true".equals(query.get("wait")), caller);
    }

    /** Keeps a received upload of {@code caller} unless it breaks the storage quota (then nothing is left). */
    private ResponseEntity<DatasetResponse> accept(DatasetUpload upload, ReceivedUpload received, boolean wait,
            Caller caller) throws IOException {
        try {
            quotas.admitUpload(caller, received.size());
        } catch (RuntimeException e) {
            uploads.remove(received.dir());
            throw e;
        }
        long counted = received.size();
        DatasetService.Ingestion ingestion = datasets.accept(upload, received, caller.principal(),
                stored -> quotas.admitStored(caller, counted, stored));
        URI location = URI.create("/v1/datasets/" + ingestion.dataset().id());
        if (!wait) {
            return ResponseEntity.accepted().location(location).body(DatasetResponse.of(ingestion.dataset()));
        }
        Dataset ended;
        try {
            ended = ingestion.outcome().join();
        } catch (CompletionException e) {
            ended = datasets.find(ingestion.dataset().id()).orElse(null);
        }
        if (ended == null) {
            throw new DatasetNotFoundException(ingestion.dataset().id());
        }
        return switch (ended.state()) {
            case READY -> ResponseEntity.created(location).body(DatasetResponse.of(ended));
            case FAILED -> {
                // the client is told why; nothing of the upload is kept
                datasets.discardFailed(ended.id());
                throw new DatasetRejectedException(ended.failureReason());
            }
            case INGESTING -> ResponseEntity.accepted().location(location).body(DatasetResponse.of(ended));
        };
    }

    @GetMapping
    DatasetListResponse list(@RequestParam(required = false) String state,
            @RequestParam(required = false) Integer pageSize, @RequestParam(required = false) String pageToken,
            Caller caller) {
        List<FieldError> errors = new ArrayList<>();
        DatasetState stateFilter = null;
        if (state != null) {
            try {
                stateFilter = DatasetState.valueOf(state.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError("state", "must be one of " + List.of(DatasetState.values()) + " but is '"
                        + state + "'"));
            }
        }
        int size = pageSize != null ? pageSize : properties.defaultPageSize();
        if (size < 1 || size > properties.maxPageSize()) {
            errors.add(new FieldError("pageSize", "must be between 1 and " + properties.maxPageSize() + " but is "
                    + size));
        }
        if (!errors.isEmpty()) {
            throw new DatasetValidationException(errors);
        }
        DatasetPage page = datasets.list(stateFilter, size, pageToken, caller);
        return new DatasetListResponse(page.items().stream().map(DatasetResponse::of).toList(),
                page.nextPageToken());
    }

    @GetMapping("/{id}")
    DatasetResponse get(@PathVariable String id, Caller caller) {
        return DatasetResponse.of(datasets.find(id, caller).orElseThrow(() -> new DatasetNotFoundException(id)));
    }

    @DeleteMapping("/{id}")
    ResponseEntity<Void> delete(@PathVariable String id, Caller caller) throws IOException {
        try {
            if (!datasets.delete(id, caller)) {
                throw new DatasetNotFoundException(id);
            }
        } catch (IOException | RuntimeException e) {
            audit.failed(caller, "dataset.delete", "dataset:" + id, e);
            throw e;
        }
        audit.ok(caller, "dataset.delete", "dataset:" + id, "deleted");
        return ResponseEntity.status(HttpStatus.NO_CONTENT).build();
    }

    /** The {@code metadata} part: a form field, or a part of its own (with {@code type=application/json}). */
    private static JsonNode metadata(MultipartHttpServletRequest request) throws IOException, ServletException {
        String text = request.getParameter("metadata");
        if (text == null) {
            MultipartFile asFile = request.getFile("metadata");
            if (asFile != null) {
                text = readLimited(asFile.getInputStream());
            } else {
                Part part = request.getPart("metadata");
                if (part != null) {
                    text = readLimited(part.getInputStream());
                }
            }
        }
        if (text == null) {
            throw new DatasetValidationException(List.of(new FieldError("metadata",
                    "is required: a part named 'metadata' holding {\"name\": ..., \"format\": {\"format\": ...}}")));
        }
        if (text.length() > MAX_METADATA_BYTES) {
            throw new DatasetValidationException(List.of(new FieldError("metadata", "must be at most "
                    + MAX_METADATA_BYTES + " bytes")));
        }
        try {
            return JobJson.MAPPER.readTree(text);
        } catch (JacksonException e) {
            throw new DatasetValidationException(List.of(new FieldError("metadata", "is not valid JSON: "
                    + e.getOriginalMessage())));
        }
    }

    private static String readLimited(InputStream in) throws IOException {
        try (in) {
            byte[] bytes = in.readNBytes(MAX_METADATA_BYTES + 1);
            return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /**
     * The query of a binary upload in the shape of the multipart metadata, so one set of rules checks both:
     * {@code height} and {@code width} become numbers when they are integers (else stay text, and are refused
     * naming the parameter).
     */
    private static JsonNode metadataFromQuery(Map<String, String> query) {
        List<FieldError> unknown = new ArrayList<>();
        for (String name : query.keySet()) {
            if (!name.equals("name") && !name.equals("format") && !name.equals("filename") && !name.equals("wait")
                    && !FORMAT_OPTIONS.contains(name)) {
                unknown.add(new FieldError(name, "is not a parameter of an upload; known: name, format, filename, "
                        + "wait, " + String.join(", ", FORMAT_OPTIONS)));
            }
        }
        String wait = query.get("wait");
        if (wait != null && !wait.equals("true") && !wait.equals("false")) {
            unknown.add(new FieldError("wait", "must be true or false but is '" + wait + "'"));
        }
        if (!unknown.isEmpty()) {
            throw new DatasetValidationException(unknown);
        }
        ObjectNode metadata = JobJson.MAPPER.createObjectNode();
        if (query.get("name") != null) {
            metadata.put("name", query.get("name"));
        }
        if (query.get("format") != null) {
            ObjectNode format = metadata.putObject("format");
            format.put("format", query.get("format"));
            for (String option : FORMAT_OPTIONS) {
                String value = query.get(option);
                if (value == null) {
                    continue;
                }
                if ((option.equals("height") || option.equals("width")) && value.matches("-?\\d{1,9}")) {
                    format.put(option, Integer.parseInt(value));
                } else {
                    format.put(option, value);
                }
            }
        }
        return metadata;
    }

    /** {@code format.labelColumn} → {@code labelColumn}; {@code format.format} → {@code format}. */
    private static String queryName(String field) {
        return field.startsWith("format.") ? field.substring("format.".length()) : field;
    }
}
