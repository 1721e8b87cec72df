package io.l0sparsify.prune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.pooling.Pool;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a {@link PrunedNetwork} with DJL tensor operations: the reference the gated model and the ONNX
 * export are checked against. Weights are copied to the device once, on the manager given.
 */
public final class PrunedNetworkRunner implements AutoCloseable {

    private final PrunedNetwork network;
    private final NDManager manager;
    private final List<NDArray[]> tensors = new ArrayList<>();

    public PrunedNetworkRunner(PrunedNetwork network, NDManager parent) {
        this.network = network;
        this.manager = parent.newSubManager();
        for (PrunedLayer layer : network.layers()) {
            tensors.add(switch (layer) {
                case PrunedLayer.Dense d -> new NDArray[] {
                    manager.create(d.weight(), new Shape(d.units(), d.inputs())), manager.create(d.bias()),
                    d.gather() == null ? null : manager.create(toLong(d.gather()))};
                case PrunedLayer.Conv2d c -> new NDArray[] {
                    manager.create(c.weight(), new Shape(c.filters(), c.inChannels(), c.kernel(), c.kernel())),
                    manager.create(c.bias())};
                case PrunedLayer.MaxPool _, PrunedLayer.Relu _, PrunedLayer.Flatten _ -> null;
            });
        }
    }

    /** Logits {@code [batch, classes]} for a batch {@code [batch, ...inputShape]}, on the input's manager. */
    public NDArray forward(NDArray input) {
        NDArray x = input;
        List<PrunedLayer> layers = network.layers();
        for (int i = 0; i < layers.size(); i++) {
            PrunedLayer layer = layers.get(i);
            NDArray[] t = tensors.get(i);
            x = switch (layer) {
                case PrunedLayer.Dense _ -> {
                    NDArray flat = x.getShape().dimension() > 2 ? x.reshape(x.getShape().get(0), -1) : x;
                    NDArray gathered = t[2] == null ? flat : flat.get(new NDIndex(":, {}", t[2]));
                    yield Linear.linear(gathered, t[0], t[1]).singletonOrThrow();
                }
                case PrunedLayer.Conv2d c -> Conv2d.conv2d(x, t[0], t[1], new Shape(c.stride(), c.stride()),
                        new Shape(c.padding(), c.padding()), new Shape(1, 1), 1).singletonOrThrow();
                case PrunedLayer.MaxPool p -> Pool.maxPool2d(x, new Shape(p.size(), p.size()),
                        new Shape(p.stride(), p.stride()), new Shape(0, 0), false);
                case PrunedLayer.Relu _ -> Activation.relu(x);
                case PrunedLayer.Flatten _ -> x.reshape(x.getShape().get(0), -1);
            };
        }
        return x;
    }

    private static long[] toLong(int[] values) {
        long[] result = new long[values.length];
        for (int i = 0; i < values.length; i++) {
            result[i] = values[i];
        }
        return result;
    }

    @Override
    public void close() {
        manager.close();
    }
}
