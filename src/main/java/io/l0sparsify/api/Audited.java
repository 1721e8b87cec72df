package io.l0sparsify.api;

import io.l0sparsify.dataset.DatasetInUseException;
import io.l0sparsify.dataset.DatasetValidationException;
import io.l0sparsify.dataset.UploadTooLargeException;
import io.l0sparsify.job.IdempotencyConflictException;
import io.l0sparsify.job.IllegalTransitionException;
import io.l0sparsify.job.JobNotRunningException;
import io.l0sparsify.job.JobValidationException;
import io.l0sparsify.model.ModelInUseException;
import io.l0sparsify.model.ModelRejectedException;
import io.l0sparsify.model.ModelUploadTooLargeException;
import io.l0sparsify.security.AuditLog;
import io.l0sparsify.security.Caller;
import io.l0sparsify.security.QuotaExceededException;
import org.springframework.stereotype.Component;

/**
 * The audit lines of the API's changes ({@link AuditLog}): what a refused request ends as is named from the
 * error the controller let through, in the words of its problem type.
 */
@Component
class Audited {

    private final AuditLog log;

    Audited(AuditLog log) {
        this.log = log;
    }

    void ok(Caller caller, String action, String resource, String outcome) {
        log.record(caller, action, resource, outcome);
    }

    void failed(Caller caller, String action, String resource, Throwable error) {
        log.record(caller, action, resource, outcomeOf(error));
    }

    static String outcomeOf(Throwable error) {
        return switch (error) {
            case JobNotFoundException e -> "not-found";
            case DatasetNotFoundException e -> "not-found";
            case ModelNotFoundException e -> "not-found";
            case KeyNotFoundException e -> "not-found";
            case QuotaExceededException e -> e.limit() == QuotaExceededException.Limit.SUBMIT_RATE ? "rate-limited"
                    : "quota-exceeded";
            case JobValidationException e -> "invalid";
            case DatasetValidationException e -> "invalid";
            case DatasetRejectedException e -> "invalid";
            case ModelRejectedException e -> "invalid";
            case MalformedJsonException e -> "invalid";
            case IdempotencyConflictException e -> "invalid";
            case PayloadTooLargeException e -> "too-large";
            case UploadTooLargeException e -> "too-large";
            case ModelUploadTooLargeException e -> "too-large";
            case IllegalTransitionException e -> "conflict";
            case JobNotRunningException e -> "conflict";
            case DatasetInUseException e -> "conflict";
            case ModelInUseException e -> "conflict";
            default -> "error";
        };
    }
}
