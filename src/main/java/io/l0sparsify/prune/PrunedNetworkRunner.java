package io.l0sparsify.prune;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.convolutional.Conv2d;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.BatchNorm;
import ai.djl.nn.pooling.Pool;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs a {@link PrunedNetwork} with DJL tensor operations: the reference the gated model and the ONNX
 * export are checked against. Weights are copied to the device once, on the manager given.
 */
public final class PrunedNetworkRunner implements AutoCloseable {

    private final PrunedNetwork network;
    private final NDManager manager;
    /** Each layer's tensors, by identity (records of arrays compare arrays by reference anyway). */
    private final Map<PrunedLayer, NDArray[]> tensors = new IdentityHashMap<>();

    public PrunedNetworkRunner(PrunedNetwork network, NDManager parent) {
        this.network = network;
        this.manager = parent.newSubManager();
        upload(network.layers());
    }

    private void upload(List<PrunedLayer> layers) {
        for (PrunedLayer layer : layers) {
            switch (layer) {
                case PrunedLayer.Dense d -> tensors.put(d, new NDArray[] {
                    manager.create(d.weight(), new Shape(d.units(), d.inputs())), manager.create(d.bias()),
                    d.gather() == null ? null : manager.create(toLong(d.gather()))});
                case PrunedLayer.Conv2d c -> tensors.put(c, convTensors(c));
                case PrunedLayer.BatchNorm b -> tensors.put(b, new NDArray[] {
                    manager.create(b.gamma()), manager.create(b.beta()), manager.create(b.runningMean()),
                    manager.create(b.runningVar())});
                case PrunedLayer.Residual r -> {
                    upload(r.body());
                    if (r.projection() != null) {
                        tensors.put(r.projection(), convTensors(r.projection()));
                    }
                }
                case PrunedLayer.MaxPool _, PrunedLayer.AvgPool _, PrunedLayer.Relu _, PrunedLayer.Flatten _,
                        PrunedLayer.GlobalAvgPool _ -> { }
            }
        }
    }

    private NDArray[] convTensors(PrunedLayer.Conv2d c) {
        return new NDArray[] {
            manager.create(c.weight(), new Shape(c.filters(), c.inChannels(), c.kernel(), c.kernel())),
            manager.create(c.bias())};
    }

    /** Logits {@code [batch, classes]} for a batch {@code [batch, ...inputShape]}, on the input's manager. */
    public NDArray forward(NDArray input) {
        return forward(network.layers(), input);
    }

    private NDArray forward(List<PrunedLayer> layers, NDArray input) {
        NDArray x = input;
        for (PrunedLayer layer : layers) {
            NDArray[] t = tensors.get(layer);
            x = switch (layer) {
                case PrunedLayer.Dense _ -> {
                    NDArray flat = x.getShape().dimension() > 2 ? x.reshape(x.getShape().get(0), -1) : x;
                    NDArray gathered = t[2] == null ? flat : flat.get(new NDIndex(":, {}", t[2]));
                    yield Linear.linear(gathered, t[0], t[1]).singletonOrThrow();
                }
                case PrunedLayer.Conv2d c -> convolve(x, c, t);
                case PrunedLayer.MaxPool p -> Pool.maxPool2d(x, new Shape(p.size(), p.size()),
                        new Shape(p.stride(), p.stride()), new Shape(p.padding(), p.padding()), false);
                case PrunedLayer.AvgPool p -> AvgPool2d.apply(x, p.size(), p.stride(), p.padding(),
                        p.countIncludePad());
                case PrunedLayer.Relu _ -> Activation.relu(x);
                case PrunedLayer.Flatten _ -> x.reshape(x.getShape().get(0), -1);
                // evaluation mode: the running statistics, nothing updated
                case PrunedLayer.BatchNorm b -> BatchNorm.batchNorm(x, t[2], t[3], t[0], t[1], 1, 0.9f, b.eps(),
                        false).singletonOrThrow();
                case PrunedLayer.GlobalAvgPool _ -> Pool.globalAvgPool2d(x).reshape(x.getShape().get(0), -1);
                case PrunedLayer.Residual r -> {
                    NDArray shortcut = r.projection() == null ? x
                            : convolve(x, r.projection(), tensors.get(r.projection()));
                    yield forward(r.body(), x).add(shortcut);
                }
            };
        }
        return x;
    }

    private static NDArray convolve(NDArray x, PrunedLayer.Conv2d c, NDArray[] t) {
        return Conv2d.conv2d(x, t[0], t[1], new Shape(c.stride(), c.stride()),
                new Shape(c.padding(), c.padding()), new Shape(c.dilation(), c.dilation()), 1).singletonOrThrow();
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
