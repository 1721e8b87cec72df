package io.l0sparsify.api;

import io.l0sparsify.ConditionalOnRole;
import io.l0sparsify.Role;
import io.l0sparsify.job.FieldError;
import io.l0sparsify.job.Job;
import io.l0sparsify.job.JobDefinition;
import io.l0sparsify.job.JobDefinitionJson;
import io.l0sparsify.job.JobLimits;
import io.l0sparsify.job.JobPage;
import io.l0sparsify.job.JobService;
import io.l0sparsify.job.JobState;
import io.l0sparsify.job.JobValidationException;
import io.l0sparsify.job.Submission;
import io.l0sparsify.job.UploadedModels;
import io.l0sparsify.model.ImportedNetwork;
import io.l0sparsify.model.ModelService;
import io.l0sparsify.security.Caller;
import io.l0sparsify.security.Quotas;
import io.l0sparsify.storage.ArtifactInfo;
import io.l0sparsify.storage.ArtifactStore;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.io.InputStream;
import java.net.URI;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.function.BiFunction;
import java.util.regex.Pattern;
import org.springframework.core.io.InputStreamResource;
import org.springframework.http.ContentDisposition;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestHeader;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.mvc.method.annotation.SseEmitter;

/**
 * {@code /v1/jobs}: submit, list, read, cancel, stop, follow, and download what a job produced. A job is its
 * submitter's: any other caller but an admin gets 404 for it, in every operation, and never sees it in a list.
 */
@ConditionalOnRole({Role.ALL, Role.API})
@RestController
@RequestMapping(path = "/v1/jobs", produces = MediaType.APPLICATION_JSON_VALUE)
class JobController {

    /** Visible ASCII without separators that would need quoting in logs or headers. */
    private static final Pattern IDEMPOTENCY_KEY = Pattern.compile("[\\x21-\\x7E]{1,200}");

    private final JobService jobs;
    private final ArtifactStore artifacts;
    private final JobLimits limits;
    private final ApiProperties properties;
    private final JobEventStreams eventStreams;
    private final Quotas quotas;
    private final Audited audit;
    private final ModelService models;

    JobController(JobService jobs, ArtifactStore artifacts, JobLimits limits, ApiProperties properties,
            JobEventStreams eventStreams, Quotas quotas, Audited audit, ModelService models) {
        this.models = models;
        this.jobs = jobs;
        this.artifacts = artifacts;
        this.limits = limits;
        this.properties = properties;
        this.eventStreams = eventStreams;
        this.quotas = quotas;
        this.audit = audit;
    }

    @PostMapping(consumes = MediaType.APPLICATION_JSON_VALUE)
    ResponseEntity<JobResponse> submit(HttpServletRequest request,
            @RequestHeader(name = "Idempotency-Key", required = false) String idempotencyKey, Caller caller)
            throws IOException {
        Submission submission;
        try {
            // the rate first: a refused request costs no parsing
            quotas.admitSubmission(caller);
            if (idempotencyKey != null && !IDEMPOTENCY_KEY.matcher(idempotencyKey).matches()) {
                throw new JobValidationException("Idempotency-Key", "must be 1 to 200 visible ASCII characters");
            }
            JobDefinition definition = JobDefinitionJson.parse(
                    RequestBodies.readJson(request.getInputStream(), request.getContentLengthLong(),
                            properties.maxRequestBytes(), properties.requestBodyTimeout()), limits,
                    uploadedModels(caller));
            // the unfinished-jobs quota holds a new job back, never the replay of one already accepted
            submission = jobs.submit(definition, idempotencyKey, caller, () -> quotas.admitNewJob(caller));
        } catch (IOException | RuntimeException e) {
            audit.failed(caller, "job.submit", "-", e);
            throw e;
        }
        Job job = submission.job();
        audit.ok(caller, "job.submit", "job:" + job.id(), submission.created() ? "accepted" : "replayed");
        return ResponseEntity.accepted()
                .location(URI.create("/v1/jobs/" + job.id()))
                .header("Idempotent-Replayed", Boolean.toString(!submission.created()))
                .body(JobResponse.of(job));
    }

    /** The uploaded models {@code caller} may fine-tune, as the job rules ask for them. */
    private UploadedModels uploadedModels(Caller caller) {
        return (uri, specLimits) -> {
            try {
                return models.imported(uri, caller, specLimits).map(ImportedNetwork::spec);
            } catch (IOException e) {
                throw new UncheckedIOException("cannot read the stored model " + uri, e);
            }
        };
    }

    @GetMapping
    JobListResponse list(@RequestParam(required = false) String state,
            @RequestParam(required = false) Integer pageSize, @RequestParam(required = false) String pageToken,
            Caller caller) {
        List<FieldError> errors = new ArrayList<>();
        JobState stateFilter = null;
        if (state != null) {
            try {
                stateFilter = JobState.valueOf(state.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                errors.add(new FieldError("state", "must be one of " + List.of(JobState.values()) + " but is '"
                        + state + "'"));
            }
        }
        int size = pageSize != null ? pageSize : properties.defaultPageSize();
        if (size < 1 || size > properties.maxPageSize()) {
            errors.add(new FieldError("pageSize", "must be between 1 and " + properties.maxPageSize() + " but is "
                    + size));
        }
        if (!errors.isEmpty()) {
            throw new JobValidationException(errors);
        }
        JobPage page = jobs.list(stateFilter, size, pageToken, caller);
        return new JobListResponse(page.items().stream().map(JobResponse::of).toList(), page.nextPageToken());
    }

    @GetMapping("/{id}")
    JobResponse get(@PathVariable String id, Caller caller) {
        Job job = existing(jobs.find(id, caller), id);
        return JobResponse.of(job, jobs.attempts(job));
    }

    @PostMapping("/{id}/cancel")
    ResponseEntity<JobResponse> cancel(@PathVariable String id, Caller caller) {
        return control(id, caller, "job.cancel", jobs::cancel, "cancelled", "cancel-requested");
    }

    @PostMapping("/{id}/stop")
    ResponseEntity<JobResponse> stop(@PathVariable String id, Caller caller) {
        return control(id, caller, "job.stop", jobs::stop, "already-finished", "stop-requested");
    }

    /**
     * Cancel and stop alike: 200 with a job that is final now, 202 with one that will end at its next step; either
     * way, and on a refusal, one audit line.
     */
    private ResponseEntity<JobResponse> control(String id, Caller caller, String action,
            BiFunction<String, Caller, Optional<Job>> request, String finalOutcome, String pendingOutcome) {
        Job job;
        try {
            job = existing(request.apply(id, caller), id);
        } catch (RuntimeException e) {
            audit.failed(caller, action, "job:" + id, e);
            throw e;
        }
        audit.ok(caller, action, "job:" + id, job.state().isFinal() ? finalOutcome : pendingOutcome);
        return ResponseEntity.status(job.state().isFinal() ? HttpStatus.OK : HttpStatus.ACCEPTED)
                .body(JobResponse.of(job));
    }

    @GetMapping(path = "/{id}/events", produces = MediaType.TEXT_EVENT_STREAM_VALUE)
    SseEmitter events(@PathVariable String id, Caller caller) {
        Job job = existing(jobs.find(id, caller), id);
        return eventStreams.open(job);
    }

    @GetMapping("/{id}/result")
    ResponseEntity<byte[]> result(@PathVariable String id, Caller caller) throws IOException {
        Job job = existing(jobs.find(id, caller), id);
        if (job.state() != JobState.SUCCEEDED) {
            throw new ResultNotReadyException("job " + id + " is " + job.state()
                    + "; its result exists once it has SUCCEEDED");
        }
        byte[] result = artifacts.read(id, "result.json")
                .orElseThrow(() -> new IllegalStateException("job " + id + " SUCCEEDED without result.json"));
        return ResponseEntity.ok().contentType(MediaType.APPLICATION_JSON).body(result);
    }

    @GetMapping("/{id}/artifacts")
    ArtifactListResponse artifacts(@PathVariable String id, Caller caller) throws IOException {
        // Only a SUCCEEDED job's set is complete; files a crash left behind mid-export are never served.
        if (existing(jobs.find(id, caller), id).state() != JobState.SUCCEEDED) {
            return new ArtifactListResponse(List.of());
        }
        return new ArtifactListResponse(artifacts.list(id).stream()
                .map(a -> ArtifactListResponse.Item.of(id, a)).toList());
    }

    @GetMapping(path = "/{id}/artifacts/{name}", produces = MediaType.ALL_VALUE)
    ResponseEntity<InputStreamResource> download(@PathVariable String id, @PathVariable String name,
            @RequestHeader(name = HttpHeaders.IF_NONE_MATCH, required = false) String ifNoneMatch, Caller caller)
            throws IOException {
        if (existing(jobs.find(id, caller), id).state() != JobState.SUCCEEDED) {
            throw new ArtifactNotFoundException(id, name);
        }
        ArtifactInfo info = artifacts.info(id, name).orElseThrow(() -> new ArtifactNotFoundException(id, name));
        String etag = "\"" + info.sha256() + "\"";
        if (ifNoneMatch != null && (ifNoneMatch.equals(etag) || ifNoneMatch.equals("*"))) {
            return ResponseEntity.status(HttpStatus.NOT_MODIFIED).eTag(etag).build();
        }
        InputStream in = artifacts.open(id, name).orElseThrow(() -> new ArtifactNotFoundException(id, name));
        return ResponseEntity.ok()
                .contentType(MediaType.parseMediaType(info.mediaType()))
                .contentLength(info.size())
                .eTag(etag)
                .header("Repr-Digest", "sha-256=:" + Base64.getEncoder()
                        .encodeToString(HexFormat.of().parseHex(info.sha256())) + ":")
                .header(HttpHeaders.CONTENT_DISPOSITION,
                        ContentDisposition.attachment().filename(name).build().toString())
                .body(new InputStreamResource(in));
    }

    /** The one place where a missing job, or another principal's, becomes 404. */
    private static Job existing(Optional<Job> job, String id) {
        return job.orElseThrow(() -> new JobNotFoundException(id));
    }
}
