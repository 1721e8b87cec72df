package io.l0sparsify.model;

import java.util.ArrayList;
import java.util.List;

/**
 * Where L0 gates could sit in an uploaded model, and whether removing a unit there is exact. A dense layer's
 * inputs always can be gated (a closed gate removes a column of its weight). A convolution's feature maps are
 * taken after the batch normalization and ReLU that directly follow it, so that a closed gate's zero reaches every
 * reader as zero (no BN shift survives); they are not gated where they join the residual stream (an Add), where
 * they are normalized again later (a BN after the activation would turn the zero into its shift), or where they
 * are the model's output.
 */
final class GateGroups {

    private GateGroups() {}

    static List<GateGroup> of(List<ModelNode> nodes, List<String> graphOutputs) {
        List<GateGroup> groups = new ArrayList<>();
        for (ModelNode node : nodes) {
            switch (node) {
                case ModelNode.Dense d -> groups.add(new GateGroup(d.name(), GateGroup.DENSE_INPUTS, d.inputs().get(0),
                        d.inFeatures(), true, "a closed gate on an input removes that column of the weight"));
                case ModelNode.Conv c -> groups.add(convGroup(c, nodes, graphOutputs));
                case ModelNode.BatchNorm b -> {
                }
                case ModelNode.Relu r -> {
                }
                case ModelNode.MaxPool m -> {
                }
                case ModelNode.AveragePool a -> {
                }
                case ModelNode.GlobalAveragePool g -> {
                }
                case ModelNode.Flatten f -> {
                }
                case ModelNode.ResidualAdd r -> {
                }
                case ModelNode.Softmax s -> {
                }
            }
        }
        return groups;
    }

    private static GateGroup convGroup(ModelNode.Conv conv, List<ModelNode> nodes, List<String> graphOutputs) {
        String at = conv.output();
        List<String> path = new ArrayList<>(List.of("Conv"));
        List<ModelNode> next = readers(nodes, at);
        if (next.size() == 1 && next.get(0) instanceof ModelNode.BatchNorm bn) {
            at = bn.output();
            path.add("BatchNormalization");
            next = readers(nodes, at);
        }
        if (next.size() == 1 && next.get(0) instanceof ModelNode.Relu relu) {
            at = relu.output();
            path.add("Relu");
            next = readers(nodes, at);
        }
        String after = "after " + String.join(" → ", path);
        if (graphOutputs.contains(at)) {
            return new GateGroup(conv.name(), GateGroup.CONV_FEATURE_MAPS, at, conv.outChannels(), false,
                    after + " the maps are a model output");
        }
        for (ModelNode reader : next) {
            if (reader instanceof ModelNode.ResidualAdd add) {
                return new GateGroup(conv.name(), GateGroup.CONV_FEATURE_MAPS, at, conv.outChannels(), false,
                        after + " the maps join the residual stream at '" + add.name() + "', which is not gated");
            }
            if (reader instanceof ModelNode.BatchNorm bn) {
                return new GateGroup(conv.name(), GateGroup.CONV_FEATURE_MAPS, at, conv.outChannels(), false,
                        after + " the maps are normalized again by '" + bn.name() + "', whose shift a closed gate's "
                                + "zero would not survive");
            }
        }
        return new GateGroup(conv.name(), GateGroup.CONV_FEATURE_MAPS, at, conv.outChannels(), true,
                after + " a closed gate's zero reaches every reader as zero");
    }

    private static List<ModelNode> readers(List<ModelNode> nodes, String value) {
        return nodes.stream().filter(n -> n.inputs().contains(value)).toList();
    }
}
