package io.l0sparsify.job;

import io.l0sparsify.spec.SpecLimits;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * What one request may ask for ({@code l0.limits.*}), so that a single job cannot exhaust a worker.
 *
 * @param maxLayers most layers in a model
 * @param maxUnits most units or filters in one layer
 * @param maxKernel largest kernel or pooling window
 * @param maxParameters most trainable parameters in a model; larger specs are refused before queueing
 * @param maxEpochs most epochs
 * @param maxBatchSize largest minibatch
 * @param maxRuntime longest runtime budget a job may ask for; also the budget of jobs that ask for none
 * @param maxStepMemory most memory the activations of one step may need, estimated from the inferred shapes:
 *     4-byte values and their gradients for a training minibatch, the values alone for an evaluation batch of
 *     {@link io.l0sparsify.l0.L0Trainer#EVAL_BATCH} test examples. Larger requests are refused before queueing
 *     rather than found out by the kernel's out-of-memory killer.
 */
@ConfigurationProperties("l0.limits")
public record JobLimits(
        Integer maxLayers,
        Integer maxUnits,
        Integer maxKernel,
        Long maxParameters,
        Integer maxEpochs,
        Integer maxBatchSize,
        Duration maxRuntime,
        DataSize maxStepMemory) {

    public JobLimits {
        maxLayers = maxLayers != null ? maxLayers : SpecLimits.DEFAULT.maxLayers();
        maxUnits = maxUnits != null ? maxUnits : SpecLimits.DEFAULT.maxUnits();
        maxKernel = maxKernel != null ? maxKernel : SpecLimits.DEFAULT.maxKernel();
        maxParameters = maxParameters != null ? maxParameters : 20_000_000L;
        maxEpochs = maxEpochs != null ? maxEpochs : 1000;
        maxBatchSize = maxBatchSize != null ? maxBatchSize : 8192;
        maxRuntime = maxRuntime != null ? maxRuntime : Duration.ofHours(24);
        // the presets at the largest batch need 2.2 GiB (LeNet-5: 35 714 values per example, 8 bytes each)
        maxStepMemory = maxStepMemory != null ? maxStepMemory : DataSize.ofGigabytes(4);
    }

    public SpecLimits specLimits() {
        return new SpecLimits(maxLayers, maxUnits, maxKernel, maxParameters);
    }
}
