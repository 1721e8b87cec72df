package io.l0sparsify.api;

import io.l0sparsify.dataset.DatasetInUseException;
import io.l0sparsify.dataset.DatasetValidationException;
import io.l0sparsify.dataset.UploadTooLargeException;
import io.l0sparsify.job.FieldError;
import io.l0sparsify.job.IdempotencyConflictException;
import io.l0sparsify.job.IllegalTransitionException;
import io.l0sparsify.job.JobNotRunningException;
import io.l0sparsify.job.JobValidationException;
import io.l0sparsify.model.ModelInUseException;
import io.l0sparsify.model.ModelRejectedException;
import io.l0sparsify.model.ModelUploadTooLargeException;
import io.l0sparsify.security.QuotaExceededException;
import java.net.URI;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.TypeMismatchException;
import org.springframework.dao.DataAccessResourceFailureException;
import org.springframework.dao.RecoverableDataAccessException;
import org.springframework.dao.TransientDataAccessException;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.HttpStatusCode;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.jdbc.UncategorizedSQLException;
import org.springframework.security.core.AuthenticationException;
import org.springframework.transaction.CannotCreateTransactionException;
import org.springframework.transaction.TransactionSystemException;
import org.springframework.web.bind.MissingServletRequestParameterException;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;
import org.springframework.web.context.request.WebRequest;
import org.springframework.web.multipart.MaxUploadSizeExceededException;
import org.springframework.web.servlet.mvc.method.annotation.ResponseEntityExceptionHandler;
import org.springframework.web.util.DisconnectedClientHelper;

/**
 * Every error of the API as one application/problem+json shape: a stable {@code type} URI (see
 * {@link ProblemTypes}), a short {@code title}, a human {@code detail}, and for validation errors
 * {@code errors: [{field, message}]}. Never an exception class name or a stack trace.
 *
 * <p>A client that went away mid-request gets no answer and costs one DEBUG line (category
 * {@value #DISCONNECTED_CLIENTS}; TRACE adds the stack trace): a crowd of aborting clients is not a server
 * fault and must not flood the log with ERROR traces.
 */
@RestControllerAdvice
class ApiExceptionHandler extends ResponseEntityExceptionHandler {

    static final String NO_SUCH_RESOURCE = "no such resource; see /openapi.yaml for the API";
    static final String DISCONNECTED_CLIENTS = "io.l0sparsify.api.DisconnectedClients";

    private static final Logger log = LoggerFactory.getLogger(ApiExceptionHandler.class);
    private static final DisconnectedClientHelper disconnectedClients = new DisconnectedClientHelper(
            DISCONNECTED_CLIENTS);

    private static final Map<Integer, URI> TYPE_BY_STATUS = Map.of(
            400, ProblemTypes.MALFORMED_JSON,
            404, ProblemTypes.NOT_FOUND,
            405, ProblemTypes.METHOD_NOT_ALLOWED,
            406, ProblemTypes.NOT_ACCEPTABLE,
            408, ProblemTypes.REQUEST_TIMEOUT,
            413, ProblemTypes.PAYLOAD_TOO_LARGE,
            415, ProblemTypes.UNSUPPORTED_MEDIA_TYPE);

    @ExceptionHandler(JobValidationException.class)
    ResponseEntity<ProblemDetail> validation(JobValidationException e) {
        return validationProblem(e.errors());
    }

    @ExceptionHandler(DatasetValidationException.class)
    ResponseEntity<ProblemDetail> datasetValidation(DatasetValidationException e) {
        return validationProblem(e.errors());
    }

    @ExceptionHandler(UploadTooLargeException.class)
    ResponseEntity<ProblemDetail> uploadTooLarge(UploadTooLargeException e) {
        return problem(HttpStatus.CONTENT_TOO_LARGE, ProblemTypes.PAYLOAD_TOO_LARGE, "Upload too large",
                e.getMessage());
    }

    @ExceptionHandler(DatasetNotFoundException.class)
    ResponseEntity<ProblemDetail> datasetNotFound(DatasetNotFoundException e) {
        return problem(HttpStatus.NOT_FOUND, ProblemTypes.DATASET_NOT_FOUND, "Dataset not found", e.getMessage());
    }

    @ExceptionHandler(DatasetInUseException.class)
    ResponseEntity<ProblemDetail> datasetInUse(DatasetInUseException e) {
        ResponseEntity<ProblemDetail> response = problem(HttpStatus.CONFLICT, ProblemTypes.DATASET_IN_USE,
                "Dataset in use", e.getMessage());
        response.getBody().setProperty("jobIds", e.jobIds());
        return response;
    }

    @ExceptionHandler(DatasetRejectedException.class)
    ResponseEntity<ProblemDetail> datasetRejected(DatasetRejectedException e) {
        return problem(HttpStatus.UNPROCESSABLE_CONTENT, ProblemTypes.DATASET_INVALID, "Dataset not readable",
                e.getMessage());
    }

    @ExceptionHandler(MalformedJsonException.class)
    ResponseEntity<ProblemDetail> malformed(MalformedJsonException e) {
        return problem(HttpStatus.BAD_REQUEST, ProblemTypes.MALFORMED_JSON, "Malformed JSON", e.getMessage());
    }

    @ExceptionHandler(PayloadTooLargeException.class)
    ResponseEntity<ProblemDetail> tooLarge(PayloadTooLargeException e) {
        return problem(HttpStatus.CONTENT_TOO_LARGE, ProblemTypes.PAYLOAD_TOO_LARGE, "Request body too large",
                e.getMessage());
    }

    @ExceptionHandler(RequestBodyTimeoutException.class)
    ResponseEntity<ProblemDetail> bodyTimeout(RequestBodyTimeoutException e) {
        return problem(HttpStatus.REQUEST_TIMEOUT, ProblemTypes.REQUEST_TIMEOUT, "Request body too slow",
                e.getMessage());
    }

    @ExceptionHandler(JobNotFoundException.class)
    ResponseEntity<ProblemDetail> jobNotFound(JobNotFoundException e) {
        return problem(HttpStatus.NOT_FOUND, ProblemTypes.JOB_NOT_FOUND, "Job not found", e.getMessage());
    }

    @ExceptionHandler(ArtifactNotFoundException.class)
    ResponseEntity<ProblemDetail> artifactNotFound(ArtifactNotFoundException e) {
        return problem(HttpStatus.NOT_FOUND, ProblemTypes.ARTIFACT_NOT_FOUND, "Artifact not found", e.getMessage());
    }

    @ExceptionHandler(IllegalTransitionException.class)
    ResponseEntity<ProblemDetail> transition(IllegalTransitionException e) {
        String detail = "job " + e.jobId() + " is " + e.from() + (e.from().isFinal() ? " (finished)" : "")
                + " and cannot become " + e.to();
        ResponseEntity<ProblemDetail> response = problem(HttpStatus.CONFLICT, ProblemTypes.JOB_STATE_CONFLICT,
                "Job is in the wrong state", detail);
        response.getBody().setProperty("state", e.from().name());
        return response;
    }

    @ExceptionHandler(JobNotRunningException.class)
    ResponseEntity<ProblemDetail> notRunning(JobNotRunningException e) {
        ResponseEntity<ProblemDetail> response = problem(HttpStatus.CONFLICT, ProblemTypes.JOB_STATE_CONFLICT,
                "Job is in the wrong state", e.getMessage());
        response.getBody().setProperty("state", e.state().name());
        return response;
    }

    @ExceptionHandler(ResultNotReadyException.class)
    ResponseEntity<ProblemDetail> resultNotReady(ResultNotReadyException e) {
        return problem(HttpStatus.CONFLICT, ProblemTypes.JOB_STATE_CONFLICT, "Job is in the wrong state",
                e.getMessage());
    }

    @ExceptionHandler(IdempotencyConflictException.class)
    ResponseEntity<ProblemDetail> idempotency(IdempotencyConflictException e) {
        ResponseEntity<ProblemDetail> response = problem(HttpStatus.UNPROCESSABLE_CONTENT,
                ProblemTypes.IDEMPOTENCY_KEY_REUSED, "Idempotency-Key reused with a different body", e.getMessage());
        response.getBody().setProperty("jobId", e.existingJobId());
        return response;
    }

    @ExceptionHandler(ModelUploadTooLargeException.class)
    ResponseEntity<ProblemDetail> modelTooLarge(ModelUploadTooLargeException e) {
        return problem(HttpStatus.CONTENT_TOO_LARGE, ProblemTypes.PAYLOAD_TOO_LARGE, "Upload too large",
                e.getMessage());
    }

    /** Every problem of the model, each naming its node (name and operator) or tensor. */
    @ExceptionHandler(ModelRejectedException.class)
    ResponseEntity<ProblemDetail> modelRejected(ModelRejectedException e) {
        ResponseEntity<ProblemDetail> response = problem(HttpStatus.UNPROCESSABLE_CONTENT, ProblemTypes.MODEL_INVALID,
                "Model not supported", e.getMessage() + "; nothing was kept");
        response.getBody().setProperty("problems", e.problems());
        return response;
    }

    @ExceptionHandler(ModelNotFoundException.class)
    ResponseEntity<ProblemDetail> modelNotFound(ModelNotFoundException e) {
        return problem(HttpStatus.NOT_FOUND, ProblemTypes.MODEL_NOT_FOUND, "Model not found", e.getMessage());
    }

    @ExceptionHandler(ModelInUseException.class)
    ResponseEntity<ProblemDetail> modelInUse(ModelInUseException e) {
        ResponseEntity<ProblemDetail> response = problem(HttpStatus.CONFLICT, ProblemTypes.MODEL_IN_USE,
                "Model in use", e.getMessage());
        response.getBody().setProperty("jobIds", e.jobIds());
        return response;
    }

    /** A principal's quota or rate: 429 with when to try again. */
    @ExceptionHandler(QuotaExceededException.class)
    ResponseEntity<ProblemDetail> quotaExceeded(QuotaExceededException e) {
        ResponseEntity<ProblemDetail> problem = switch (e.limit()) {
            case SUBMIT_RATE -> problem(HttpStatus.TOO_MANY_REQUESTS, ProblemTypes.RATE_LIMITED, "Too many requests",
                    e.getMessage());
            case ACTIVE_JOBS, STORED_BYTES -> problem(HttpStatus.TOO_MANY_REQUESTS, ProblemTypes.QUOTA_EXCEEDED,
                    "Quota exceeded", e.getMessage());
        };
        problem.getBody().setProperty("limit", e.limit().name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
        return ResponseEntity.status(problem.getStatusCode()).headers(problem.getHeaders())
                .header(HttpHeaders.RETRY_AFTER, Long.toString(e.retryAfterSeconds())).body(problem.getBody());
    }

    @ExceptionHandler(KeyNotFoundException.class)
    ResponseEntity<ProblemDetail> keyNotFound(KeyNotFoundException e) {
        return problem(HttpStatus.NOT_FOUND, ProblemTypes.KEY_NOT_FOUND, "API key not found", e.getMessage());
    }

    /** Only when a controller finds no principal; the security filters answer for every other case. */
    @ExceptionHandler(AuthenticationException.class)
    ResponseEntity<ProblemDetail> unauthenticated(AuthenticationException e) {
        ResponseEntity<ProblemDetail> problem = problem(HttpStatus.UNAUTHORIZED, ProblemTypes.UNAUTHORIZED,
                "Authentication required", "this operation needs 'Authorization: Bearer KEY'");
        return ResponseEntity.status(problem.getStatusCode()).headers(problem.getHeaders())
                .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer").body(problem.getBody());
    }

    /**
     * The job database cannot be reached or cannot write (it is down, or its disk is full; a commit that failed is
     * a {@link TransactionSystemException}): what was asked was not kept, and the client may try again once
     * readiness is UP.
     */
    @ExceptionHandler({DataAccessResourceFailureException.class, TransientDataAccessException.class,
            RecoverableDataAccessException.class, UncategorizedSQLException.class,
            CannotCreateTransactionException.class, TransactionSystemException.class})
    ResponseEntity<ProblemDetail> databaseUnavailable(Exception e) {
        log.error("job database unavailable: {}", e.getMessage());
        return databaseUnavailableProblem();
    }

    /** Whether {@code e} is one of the failures {@link #databaseUnavailable} answers. */
    static boolean isDatabaseUnavailable(Throwable e) {
        return e instanceof DataAccessResourceFailureException || e instanceof TransientDataAccessException
                || e instanceof RecoverableDataAccessException || e instanceof UncategorizedSQLException
                || e instanceof CannotCreateTransactionException || e instanceof TransactionSystemException;
    }

    static ResponseEntity<ProblemDetail> databaseUnavailableProblem() {
        ResponseEntity<ProblemDetail> problem = problem(HttpStatus.SERVICE_UNAVAILABLE,
                ProblemTypes.DATABASE_UNAVAILABLE, "Database unavailable", "the job database cannot be used right"
                        + " now; nothing was changed or kept. Try again later");
        return ResponseEntity.status(problem.getStatusCode()).headers(problem.getHeaders())
                .header(HttpHeaders.RETRY_AFTER, "10").body(problem.getBody());
    }

    @ExceptionHandler(Exception.class)
    ResponseEntity<ProblemDetail> unexpected(Exception e) {
        if (disconnectedClients.checkAndLogClientDisconnectedException(e)) {
            // nobody is left to read an answer; Spring takes null as "handled, nothing to write"
            return null;
        }
        log.error("unhandled error", e);
        return problem(HttpStatus.INTERNAL_SERVER_ERROR, ProblemTypes.INTERNAL, "Internal error",
                "the server could not handle this request; it has been logged");
    }

    /** A multipart body past its limits, refused by the multipart parser before any controller saw it. */
    @Override
    protected ResponseEntity<Object> handleMaxUploadSizeExceededException(MaxUploadSizeExceededException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        long limit = ex.getMaxUploadSize() >= 0 ? ex.getMaxUploadSize() : 0;
        return asObject(problem(HttpStatus.CONTENT_TOO_LARGE, ProblemTypes.PAYLOAD_TOO_LARGE, "Upload too large",
                limit > 0 ? new UploadTooLargeException(limit).getMessage()
                        : "the upload exceeds the limit (l0.datasets.max-upload-size); nothing was kept"));
    }

    @Override
    protected ResponseEntity<Object> handleTypeMismatch(TypeMismatchException ex, HttpHeaders headers,
            HttpStatusCode status, WebRequest request) {
        String field = ex.getPropertyName() != null ? ex.getPropertyName() : "parameter";
        return asObject(validationProblem(List.of(new FieldError(field, "'" + ex.getValue() + "' is not a valid "
                + (ex.getRequiredType() != null ? ex.getRequiredType().getSimpleName() : "value")))));
    }

    @Override
    protected ResponseEntity<Object> handleMissingServletRequestParameter(MissingServletRequestParameterException ex,
            HttpHeaders headers, HttpStatusCode status, WebRequest request) {
        return asObject(validationProblem(List.of(new FieldError(ex.getParameterName(), "is required"))));
    }

    /** The framework's own errors (404, 405, 406, 415, ...): keep its status and detail, add our type. */
    @Override
    protected ResponseEntity<Object> handleExceptionInternal(Exception ex, Object body, HttpHeaders headers,
            HttpStatusCode statusCode, WebRequest request) {
        ProblemDetail problem = body instanceof ProblemDetail p ? p
                : ProblemDetail.forStatusAndDetail(statusCode, "the request could not be handled");
        problem.setType(typeOf(statusCode));
        if (statusCode.value() == 404) {
            problem.setDetail(NO_SUCH_RESOURCE);
        }
        problem.setInstance(null);
        HttpHeaders out = new HttpHeaders();
        out.addAll(headers);
        out.setContentType(MediaType.APPLICATION_PROBLEM_JSON);
        return new ResponseEntity<>(problem, out, statusCode);
    }

    /** The problem type of an error status that no handler of ours gave a type of its own. */
    static URI typeOf(HttpStatusCode status) {
        return TYPE_BY_STATUS.getOrDefault(status.value(),
                status.is5xxServerError() ? ProblemTypes.INTERNAL : ProblemTypes.MALFORMED_JSON);
    }

    static ResponseEntity<ProblemDetail> validationProblem(List<FieldError> errors) {
        String detail = errors.size() == 1 ? errors.get(0).field() + ": " + errors.get(0).message()
                : errors.size() + " fields are invalid; see errors";
        ResponseEntity<ProblemDetail> response = problem(HttpStatus.UNPROCESSABLE_CONTENT, ProblemTypes.VALIDATION,
                "Invalid request", detail);
        response.getBody().setProperty("errors", errors);
        return response;
    }

    static ResponseEntity<ProblemDetail> problem(HttpStatus status, URI type, String title, String detail) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, detail);
        problem.setType(type);
        problem.setTitle(title);
        return ResponseEntity.status(status).contentType(MediaType.APPLICATION_PROBLEM_JSON).body(problem);
    }

    @SuppressWarnings({"unchecked", "rawtypes"})
    private static ResponseEntity<Object> asObject(ResponseEntity<ProblemDetail> response) {
        return (ResponseEntity) response;
    }
}
