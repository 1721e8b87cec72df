package io.l0sparsify.job;

import io.l0sparsify.l0.TrainingControl;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.springframework.stereotype.Component;

/**
 * Cancel and stop requests for jobs running in this process, visible to the training thread at its next
 * step. The request is also stored with the job (column {@code control}), which the worker reads
 * periodically: that path reaches workers in other processes; this one makes the local case immediate.
 */
@Component
public class JobControls {

    private final Map<String, TrainingControl> requests = new ConcurrentHashMap<>();

    void request(String jobId, TrainingControl control) {
        // CANCEL wins over STOP_EARLY, whatever the order they arrive in.
        requests.merge(jobId, control, (old, now) -> old == TrainingControl.CANCEL ? old : now);
    }

    public TrainingControl current(String jobId) {
        return requests.getOrDefault(jobId, TrainingControl.CONTINUE);
    }

    public void forget(String jobId) {
        requests.remove(jobId);
    }
}
