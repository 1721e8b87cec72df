package io.l0sparsify.l0;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Parameter;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.training.Trainer;
import ai.djl.training.loss.Loss;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The gradient of one minibatch's objective, computed on one device or split across several (data parallel).
 *
 * <p>The parameters live on the first device and the trainer updates them there; every further device holds
 * a replica that computes the gradient of its slice. Slice k's mean cross-entropy is weighted by its share
 * n_k/n and the penalty is added once, and the gate noise is shared by all slices ({@link GateNoise#perStep}),
 * so the summed gradient is that of the whole minibatch on one device. (With per-example gates the slices
 * draw their examples' noise in another order, and dropout draws from each device's generator: the same
 * distribution, not the same numbers.)
 *
 * <p>DJL's own multi-device trainer keeps a copy per device and lets the optimizer update each copy with the
 * summed gradient. Its Adam counts updates per parameter name, not per device, so with k devices every copy
 * sees a different, k times too fast step count in its bias correction and the copies drift apart. Here the
 * optimizer runs once, on the first device; the replicas are refreshed from it before each minibatch and
 * hand their gradients back after it.
 *
 * <p>Replica 0 uses the trainer's parameter store. The others keep their own copies ({@link ReplicaStore}),
 * so a replica on the same device as the parameters (how the tests run this on one CPU) is a real second copy
 * on the same path.
 */
final class DataParallel implements AutoCloseable {

    /** The minibatch's mean cross-entropy and penalty. */
    record Losses(float crossEntropy, float penalty) {

        /**
         * The losses from the host copies of one minibatch's arrays ({@link DeviceLosses#arrays()} order, from
         * {@code offset}): the slices' cross-entropies weighted by their shares, summed in float, and the penalty.
         */
        static Losses of(float[] values, int offset, double[] shares) {
            float loss = 0;
            for (int k = 0; k < shares.length; k++) {
                loss += shares.length == 1 ? values[offset + k] : (float) (values[offset + k] * shares[k]);
            }
            return new Losses(loss, values[offset + shares.length]);
        }
    }

    /**
     * One minibatch's losses where the device computed them, detached from autograd: each slice's mean
     * cross-entropy (moved to the first device) with its share n_k/n of the minibatch, then the penalty, every one
     * a scalar. Nothing has been read to the host; {@link LossLog} reads many minibatches' at once.
     */
    record DeviceLosses(List<NDArray> arrays, double[] shares) {

        /** Reads the values to the host now (one read per array) and closes the arrays. */
        Losses read() {
            float[] values = new float[arrays.size()];
            for (int i = 0; i < values.length; i++) {
                values[i] = arrays.get(i).getFloat();
                arrays.get(i).close();
            }
            return Losses.of(values, 0, shares);
        }
    }

    private final Trainer trainer;
    private final L0Network network;
    private final List<Parameter> parameters;
    private final L0Penalty penalty;
    private final List<Device> devices;
    private final int inputSize;
    private final Loss crossEntropy = Loss.softmaxCrossEntropyLoss();
    private final List<NDManager> replicaManagers = new ArrayList<>();
    private final List<ReplicaStore> replicaStores = new ArrayList<>();
    private final NativeArrays.Staging pixelStaging = new NativeArrays.Staging();
    private final NativeArrays.Staging labelStaging = new NativeArrays.Staging();

    /**
     * @param devices the first is the trainer's device; a device may repeat (each entry is one replica)
     */
    DataParallel(Trainer trainer, L0Network network, List<Parameter> parameters, L0Penalty penalty,
            List<Device> devices) {
        this.trainer = trainer;
        this.network = network;
        this.parameters = List.copyOf(parameters);
        this.penalty = penalty;
        this.devices = List.copyOf(devices);
        this.inputSize = Math.toIntExact(network.inputShape(1).size());
        for (int k = 1; k < devices.size(); k++) {
            NDManager manager = trainer.getManager().newSubManager(devices.get(k));
            replicaManagers.add(manager);
            replicaStores.add(new ReplicaStore(manager, this.parameters, network.runningStatistics()));
        }
    }

    /**
     * Leaves the gradient of {@code mean cross-entropy + penalty} over the first {@code size} examples in the
     * parameters' gradients (added to what is there; the optimizer's step clears them) and returns the losses
     * still on the first device, owned by {@code keep}: reading them here would make every step wait for its
     * device.
     */
    DeviceLosses backward(float[] pixels, long[] labels, int size, NDManager keep) {
        broadcast();
        int slices = Math.min(devices.size(), size);
        List<NDArray> kept = new ArrayList<>(slices + 1);
        double[] share = new double[slices];
        try (NDManager batch = trainer.getManager().newSubManager()) {
            // inputs are staged before autograd is switched on
            NDArray[] x = new NDArray[slices];
            NDArray[] y = new NDArray[slices];
            int offset = 0;
            for (int k = 0; k < slices; k++) {
                int n = size / slices + (k < size % slices ? 1 : 0);
                share[k] = n / (double) size;
                NDManager sliceManager = k == 0 ? batch : batch.newSubManager(devices.get(k));
                x[k] = pixelStaging.floats(sliceManager, pixels, offset * inputSize, network.inputShape(n));
                y[k] = labelStaging.longs(sliceManager, labels, offset, n);
                offset += n;
            }
            try (NDScope scope = new NDScope()) {
                NDArray[] ce = new NDArray[slices];
                NDArray l0 = null;
                try (GradientCollector collector = Autograd.collect(trainer)) {
                    for (int k = 0; k < slices; k++) {
                        NDList logits = k == 0 ? trainer.forward(new NDList(x[k]))
                                : network.block().forward(replicaStores.get(k - 1), new NDList(x[k]), true);
                        ce[k] = crossEntropy.evaluate(new NDList(y[k]), logits);
                        NDArray objective = slices == 1 ? ce[k]
                                : ce[k].mul(HardConcreteGate.scalar(ce[k], share[k]));
                        if (k == 0) {
                            l0 = penalty.evaluate(null, null);
                            objective = objective.add(l0);
                        }
                        collector.backward(objective);
                    }
                }
                Device first = devices.get(0);
                for (int k = 0; k < slices; k++) {
                    kept.add(keep(ce[k].stopGradient().toDevice(first, false), keep));
                }
                kept.add(keep(l0.stopGradient(), keep));
            }
        }
        reduceGradients(slices);
        return new DeviceLosses(kept, share);
    }

    /** Takes {@code array} out of the step's scope and managers and gives it to {@code keep}. */
    private static NDArray keep(NDArray array, NDManager keep) {
        NDScope.unregister(array);
        array.attach(keep);
        return array;
    }

    /** Copies the current parameters into every replica (creating them on first use). */
    private void broadcast() {
        for (int k = 1; k < devices.size(); k++) {
            ReplicaStore store = replicaStores.get(k - 1);
            for (Parameter p : parameters) {
                NativeArrays.assign(store.getValue(p, devices.get(k), true), p.getArray());
            }
            // a replica normalizes with its own slice's statistics; only the first device's running update is kept
            for (Parameter p : network.runningStatistics()) {
                NativeArrays.assign(store.getValue(p, devices.get(k), true), p.getArray());
            }
        }
    }

    /**
     * Adds the gradients of the replicas that had a slice to the parameters' and clears them for the next
     * minibatch; a replica without a slice (a minibatch smaller than the replica count) has none.
     */
    private void reduceGradients(int slices) {
        for (int k = 1; k < slices; k++) {
            ReplicaStore store = replicaStores.get(k - 1);
            for (Parameter p : parameters) {
                try (NDScope ignored = new NDScope()) {
                    NDArray replicaGradient = store.getValue(p, devices.get(k), true).getGradient();
                    NDArray gradient = p.getArray().getGradient();
                    gradient.addi(replicaGradient.toDevice(gradient.getDevice(), false));
                    replicaGradient.subi(replicaGradient);
                }
            }
        }
    }

    @Override
    public void close() {
        for (NDManager manager : replicaManagers) {
            manager.close();
        }
    }

    /**
     * One replica's parameters: a copy of each on the replica's device, made on first use. DJL's copying
     * {@code ParameterStore} cannot serve here: on the parameter's own device its "copy" is PyTorch's
     * {@code to()}, which returns the same tensor.
     */
    private static final class ReplicaStore extends ParameterStore {
        private final Map<String, NDArray> copies = new HashMap<>();
        private final Set<String> known = new HashSet<>();

        ReplicaStore(NDManager manager, List<Parameter> parameters, List<Parameter> runningStatistics) {
            super(manager, false);
            for (Parameter p : parameters) {
                known.add(p.getId());
            }
            for (Parameter p : runningStatistics) {
                known.add(p.getId());
            }
        }

        @Override
        public NDArray getValue(Parameter parameter, Device device, boolean training) {
            if (parameter == null) {
                return null;
            }
            if (!device.equals(getManager().getDevice())) {
                throw new IllegalArgumentException("replica on " + getManager().getDevice() + " asked for " + device);
            }
            if (!known.contains(parameter.getId())) {
                // a copy made here would be created inside a step's NDScope and closed with it
                throw new IllegalStateException("parameter " + parameter.getName() + " is not replicated");
            }
            return copies.computeIfAbsent(parameter.getId(), id -> {
                NDArray source = parameter.getArray();
                NDArray copy = source.getDevice().equals(device) ? source.duplicate() : source.toDevice(device, true);
                copy.attach(getManager());
                copy.setRequiresGradient(parameter.requiresGradient());
                return copy;
            });
        }
    }
}
