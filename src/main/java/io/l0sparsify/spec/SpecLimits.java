package io.l0sparsify.spec;

/**
 * Upper bounds a spec must respect; the service configures them so that one request cannot ask for a
 * network that exhausts the worker.
 *
 * @param maxLayers most layers in a spec
 * @param maxUnits most units (dense) or filters (conv) in one layer
 * @param maxKernel largest kernel or pooling window
 * @param maxParameters most trainable parameters in the whole network
 */
public record SpecLimits(int maxLayers, int maxUnits, int maxKernel, long maxParameters) {

    public static final SpecLimits DEFAULT = new SpecLimits(64, 65_536, 31, 50_000_000L);
    public static final SpecLimits UNBOUNDED =
            new SpecLimits(Integer.MAX_VALUE, Integer.MAX_VALUE, Integer.MAX_VALUE, Long.MAX_VALUE);
}
