package io.l0sparsify.job;

import io.l0sparsify.model.ModelReferences;
import java.util.List;
import org.springframework.stereotype.Component;

/** The jobs that still need an uploaded model, as the job store records them, so the model is not deleted. */
@Component
class JobModelReferences implements ModelReferences {

    private final JobStore store;

    JobModelReferences(JobStore store) {
        this.store = store;
    }

    @Override
    public List<String> unfinishedJobsUsing(String modelId) {
        return store.unfinishedJobsUsingModel(modelId);
    }
}
