package io.l0sparsify.model;

/**
 * A group of units an L0 gate could switch off: the inputs of a dense layer, or the feature maps a convolution
 * writes, taken at the point after its normalization and activation where a closed gate's zero reaches every
 * reader as zero.
 *
 * @param layer the dense or conv node the group belongs to
 * @param kind {@code dense_inputs} or {@code conv_feature_maps}
 * @param at the value the gate would multiply (a dense layer's input, or the conv's map after BN and ReLU)
 * @param size how many units (inputs, feature maps)
 * @param gateable whether removing a unit there is exact
 * @param reason why it is or is not
 */
public record GateGroup(String layer, String kind, String at, int size, boolean gateable, String reason) {

    public static final String DENSE_INPUTS = "dense_inputs";
    public static final String CONV_FEATURE_MAPS = "conv_feature_maps";
}
