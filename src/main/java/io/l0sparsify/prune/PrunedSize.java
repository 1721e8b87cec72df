package io.l0sparsify.prune;

/**
 * The size of a pruned network, counted as {@link PrunedNetwork#parameterCount()} and
 * {@link PrunedNetwork#flops()} count it.
 *
 * @param parameters weights and biases that remain
 * @param flops multiply-add FLOPs of one forward pass
 */
public record PrunedSize(long parameters, long flops) {}
