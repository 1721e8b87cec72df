package io.l0sparsify.job;

import io.l0sparsify.spec.ModelSpec;
import io.l0sparsify.spec.SpecLimits;
import java.util.Optional;

/**
 * The uploaded models a job may start from ({@code model: {"uri": "model:ID"}}), as the submitting caller sees
 * them: the network each imports as. The models' own room implements it; the job layer only asks.
 */
@FunctionalInterface
public interface UploadedModels {

    /** For a service or a test without uploaded models: every reference names none. */
    UploadedModels NONE = (uri, limits) -> Optional.empty();

    /**
     * The network {@code uri} imports as, checked against {@code limits}; empty when it names no model the caller
     * may see.
     *
     * @throws IllegalArgumentException when the model exists but cannot be fine-tuned, with the reason (naming
     *     the node at fault)
     */
    Optional<ModelSpec> network(String uri, SpecLimits limits);
}
