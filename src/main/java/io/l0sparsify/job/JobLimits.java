package io.l0sparsify.job;

import io.l0sparsify.spec.SpecLimits;
import java.time.Duration;
import org.springframework.boot.context.properties.ConfigurationProperties;

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
 */
@ConfigurationProperties("l0.limits")
public record JobLimits(
        Integer maxLayers,
        Integer maxUnits,
        Integer maxKernel,
        Long maxParameters,
        Integer maxEpochs,
        Integer maxBatchSize,
        Duration maxRuntime) {

    public JobLimits {
        maxLayers = maxLayers != null ? maxLayers : SpecLimits.DEFAULT.maxLayers();
        maxUnits = maxUnits != null ? maxUnits : SpecLimits.DEFAULT.maxUnits();
        maxKernel = maxKernel != null ? maxKernel : SpecLimits.DEFAULT.maxKernel();
        maxParameters = maxParameters != null ? maxParameters : 20_000_000L;
        maxEpochs = maxEpochs != null ? maxEpochs : 1000;
        maxBatchSize = maxBatchSize != null ? maxBatchSize : 8192;
        maxRuntime = maxRuntime != null ? maxRuntime : Duration.ofHours(24);
    }

    public SpecLimits specLimits() {
        return new SpecLimits(maxLayers, maxUnits, maxKernel, maxParameters);
    }
}
