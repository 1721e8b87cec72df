package io.l0sparsify.security;

import io.l0sparsify.ConditionalOnRole;
import io.l0sparsify.Role;
import io.l0sparsify.dataset.DatasetService;
import io.l0sparsify.job.JobService;
import io.l0sparsify.model.ModelService;
import java.time.Clock;
import java.time.Duration;
import org.springframework.stereotype.Service;

/**
 * Checks a principal's request against its quotas ({@link QuotaProperties}) before anything of it is stored.
 * The counts are read from the database, so they hold across API processes; two requests of one principal at
 * the same moment may both pass the last free place (the limits are a guard against filling the service, not an
 * exact account).
 */
@Service
@ConditionalOnRole({Role.ALL, Role.API})
public class Quotas {

    private final QuotaProperties properties;
    private final JobService jobs;
    private final DatasetService datasets;
    private final ModelService models;
    private final SubmitRate submitRate;

    Quotas(QuotaProperties properties, JobService jobs, DatasetService datasets, ModelService models, Clock clock) {
        this.properties = properties;
        this.jobs = jobs;
        this.datasets = datasets;
        this.models = models;
        this.submitRate = new SubmitRate(properties.submitsPerMinute(), clock);
    }

    /** A job submission, counted against the principal's rate whatever becomes of it. */
    public void admitSubmission(Caller caller) {
        if (exempt(caller) || properties.submitsPerMinute() == 0) {
            return;
        }
        submitRate.take(caller.principal()).ifPresent(wait -> {
            throw new QuotaExceededException(QuotaExceededException.Limit.SUBMIT_RATE, caller.principal()
                    + " may submit " + properties.submitsPerMinute() + " jobs per minute"
                    + " (l0.quotas.submits-per-minute); try again in " + seconds(wait) + " s", wait);
        });
    }

    /**
     * A new job (not the replay of an earlier submission with the same Idempotency-Key): a place left among the
     * principal's queued and running jobs.
     */
    public void admitNewJob(Caller caller) {
        if (exempt(caller) || properties.maxActiveJobs() == 0) {
            return;
        }
        long active = jobs.unfinishedJobs(caller.principal());
        if (active >= properties.maxActiveJobs()) {
            throw new QuotaExceededException(QuotaExceededException.Limit.ACTIVE_JOBS, caller.principal()
                    + " has " + active + " queued or running jobs, the most allowed"
                    + " (l0.quotas.max-active-jobs); submit again when one has finished or was cancelled",
                    properties.retryAfter());
        }
    }

    /**
     * An upload of {@code bytes} (-1: not known yet, checked again once received): it fits in what the
     * principal's datasets and models leave of {@code l0.quotas.max-stored-bytes}.
     */
    public void admitUpload(Caller caller, long bytes) {
        if (exempt(caller) || properties.maxStoredBytes().toBytes() == 0) {
            return;
        }
        long limit = properties.maxStoredBytes().toBytes();
        long used = datasets.storedBytes(caller.principal()) + models.storedBytes(caller.principal());
        long incoming = Math.max(0, bytes);
        if (used + incoming > limit || (bytes < 0 && used >= limit)) {
            throw new QuotaExceededException(QuotaExceededException.Limit.STORED_BYTES, caller.principal()
                    + "'s datasets and models take " + used + " bytes of " + limit + " allowed"
                    + " (l0.quotas.max-stored-bytes)" + (incoming > 0 ? "; this upload of " + incoming
                    + " bytes does not fit" : "") + "; delete some to make room; nothing was kept",
                    properties.retryAfter());
        }
    }

    /**
     * A dataset's stored form of {@code stored} bytes, in place of the {@code counted} bytes of its upload that the
     * principal's usage already holds while it is ingested: an archive can expand far beyond its upload.
     */
    public void admitStored(Caller caller, long counted, long stored) {
        if (exempt(caller) || properties.maxStoredBytes().toBytes() == 0) {
            return;
        }
        long limit = properties.maxStoredBytes().toBytes();
        long others = datasets.storedBytes(caller.principal()) + models.storedBytes(caller.principal()) - counted;
        if (others + stored > limit) {
            throw new QuotaExceededException(QuotaExceededException.Limit.STORED_BYTES, "the dataset's stored form"
                    + " takes " + stored + " bytes, and with " + Math.max(0, others) + " bytes of "
                    + caller.principal() + "'s other datasets and models that exceeds the " + limit + " allowed"
                    + " (l0.quotas.max-stored-bytes); nothing was kept", properties.retryAfter());
        }
    }

    private boolean exempt(Caller caller) {
        return caller.admin() && properties.adminsExempt();
    }

    private static long seconds(Duration wait) {
        return Math.max(1, (wait.toMillis() + 999) / 1000);
    }
}
