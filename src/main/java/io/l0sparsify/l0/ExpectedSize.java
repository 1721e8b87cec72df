package io.l0sparsify.l0;

import ai.djl.ndarray.NDArray;
import io.l0sparsify.prune.Pruner;
import io.l0sparsify.prune.PrunedSize;
import io.l0sparsify.spec.LayerSpec;
import io.l0sparsify.spec.ModelSpec;
import io.l0sparsify.spec.NetworkWalk;
import java.util.ArrayList;
import java.util.List;

/**
 * The size of the network the {@link Pruner} would build, in expectation under the gates, as a fraction of the
 * unpruned network's size. Every gate is kept independently with probability p = P(z ≠ 0) and the pruner's rules
 * are followed with probabilities instead of masks:
 *
 * <pre>
 *   dense layer:  params = E[in]·E[out] + E[out]        FLOPs = 2·E[in]·E[out]
 *   conv layer:   params = E[F]·E[C]·k² + E[F]           FLOPs = 2·k²·H·W·E[C]·E[F]
 *   E[in]  = Σ_inputs p_input · P(its source arrives)    (a flattened conv channel arrives with that filter's p)
 *   E[out] = Σ_units P(the next weighted layer reads it) (the next dense layer's p of that input; 1 for a conv)
 *   E[F]   = Σ_filters p_filter · P(read downstream)     (after a flatten: 1 − Π_positions (1 − p_next))
 *   E[C]   = E[F] of the previous conv layer             (the image's channels for the first)
 *   batch normalization: params = 2·E[C]                FLOPs = 2·E[C]·H·W   (its test-time affine map)
 *   global average pool:                                FLOPs = E[C]·H·W
 *   residual block: its body as above, started and ended with every channel of the (never gated) stream,
 *                   plus the projection C·F + F params, 2·C·F·H'·W' FLOPs, and the add, C·H·W FLOPs
 * </pre>
 *
 * The in- and out-counts of one layer depend on disjoint sets of gates, so the expectation of their product is
 * the product of their expectations. With every p in {0, 1} this is exactly {@link Pruner#size}, except where a
 * layer would lose every unit (the pruner then keeps one; the expectation counts none).
 *
 * <p>One walk serves two number types: heap doubles (metrics, the multipliers' ascent) and NDArrays (the
 * differentiable term in the loss), so both always count the same way.
 */
public final class ExpectedSize {

    private final ModelSpec spec;
    private final NetworkWalk walk;
    /** For each unit (by flat index), its index among the gated layers, or -1. */
    private final int[] gatedIndex;
    private final PrunedSize dense;

    public ExpectedSize(ModelSpec spec) {
        this.spec = spec;
        this.walk = spec.walk();
        List<NetworkWalk.Step.Unit> units = walk.units();
        gatedIndex = new int[units.size()];
        int gated = 0;
        List<float[]> open = new ArrayList<>();
        for (NetworkWalk.Step.Unit u : units) {
            gatedIndex[u.index()] = LayerSpec.isGated(u.layer()) ? gated++ : -1;
            open.add(null);
        }
        this.dense = Pruner.size(spec, open);
    }

    /** The unpruned network's size (every gate open). */
    public PrunedSize dense() {
        return dense;
    }

    /** Expected parameters and FLOPs given P(z≠0) per group of each gated layer, in order. */
    public double[] expected(List<double[]> probabilities) {
        List<Double> both = walk(new HeapOps(), probabilities);
        return new double[] {both.get(0), both.get(1)};
    }

    /** The expected size of {@code metric} over the dense size, given P(z≠0) per group of each gated layer. */
    public double fraction(SizeTarget.Metric metric, List<double[]> probabilities) {
        double[] size = expected(probabilities);
        return switch (metric) {
            case PARAMETERS -> size[0] / dense.parameters();
            case FLOPS -> size[1] / dense.flops();
        };
    }

    /**
     * The same fraction as a differentiable scalar, given P(z≠0) as arrays {@code [groups]} per gated layer. The
     * result belongs to the first array's manager: call inside an NDScope.
     */
    public NDArray fractionArray(SizeTarget.Metric metric, List<NDArray> probabilities) {
        List<NDArray> both = walk(new ArrayOps(probabilities.getFirst()), probabilities);
        return switch (metric) {
            case PARAMETERS -> both.get(0).div(HardConcreteGate.scalar(both.get(0), dense.parameters()));
            case FLOPS -> both.get(1).div(HardConcreteGate.scalar(both.get(1), dense.flops()));
        };
    }

    /**
     * A vector of keep probabilities over {@code n} units in one of two number types; {@code values} null means
     * every unit is kept for certain (no array is made for it).
     */
    private record Probs<V>(V values, int n) {}

    /** The arithmetic the walk needs; S is a scalar, V a vector. */
    private interface Ops<V, S> {
        V times(V a, V b);

        S sum(V a);

        /** [C] to [C·area]: each channel's value for every position of its map (a flatten). */
        V expand(V channels, int area);

        /** [C·area] to [C]: 1 − Π over the channel's positions of (1 − p), the chance any is read. */
        V any(V flat, int area);

        S constant(double value);

        S mul(S a, S b);

        S add(S a, S b);

        S scale(S a, double factor);
    }

    /** [params, flops] in the walk's number type. */
    private <V, S> List<S> walk(Ops<V, S> ops, List<V> gateProbabilities) {
        List<NetworkWalk.Step> steps = walk.steps();
        int n = walk.units().size();
        List<Probs<V>> keptIn = new ArrayList<>();
        List<Probs<V>> forwardOut = new ArrayList<>();
        List<Probs<V>> keptOut = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            keptIn.add(null);
            forwardOut.add(null);
            keptOut.add(null);
        }
        // 1. forward: what arrives and what each layer's own gates keep
        Probs<V> avail = new Probs<>(null, spec.inputShapeOf(0)[0]);
        for (NetworkWalk.Step step : steps) {
            switch (step) {
                case NetworkWalk.Step.Unit u -> {
                    int i = u.index();
                    Probs<V> own = gatedIndex[i] < 0 ? null : new Probs<>(gateProbabilities.get(gatedIndex[i]), 0);
                    switch (u.layer()) {
                        case LayerSpec.Dense d -> {
                            keptIn.set(i, own == null ? avail
                                    : new Probs<>(times(ops, avail.values(), own.values()), avail.n()));
                            avail = new Probs<>(null, d.units());
                            forwardOut.set(i, avail);
                        }
                        case LayerSpec.Conv2d c -> {
                            avail = new Probs<>(own == null ? null : own.values(), c.filters());
                            forwardOut.set(i, avail);
                        }
                        case LayerSpec.Flatten _ -> {
                            int area = area(u.inShape());
                            avail = new Probs<>(avail.values() == null ? null : ops.expand(avail.values(), area),
                                    avail.n() * area);
                        }
                        case LayerSpec.MaxPool _, LayerSpec.AvgPool _, LayerSpec.Relu _, LayerSpec.Dropout _,
                                LayerSpec.BatchNorm _, LayerSpec.GlobalAvgPool _ -> { }
                    }
                }
                case NetworkWalk.Step.BlockStart _ -> { }
                // the residual stream is never gated
                case NetworkWalk.Step.BlockEnd end -> avail = new Probs<>(null, end.outShape()[0]);
            }
        }
        // 2. backward: the chance the next weighted layer reads a unit, given that the unit's own gate kept it
        V reads = null; // null: every unit is read (the logits, a conv layer reading every arriving channel, a block)
        for (int s = steps.size() - 1; s >= 0; s--) {
            switch (steps.get(s)) {
                case NetworkWalk.Step.Unit u -> {
                    int i = u.index();
                    V own = gatedIndex[i] < 0 ? null : gateProbabilities.get(gatedIndex[i]);
                    switch (u.layer()) {
                        case LayerSpec.Dense _ -> {
                            keptOut.set(i, new Probs<>(reads, forwardOut.get(i).n()));
                            reads = own;
                        }
                        case LayerSpec.Conv2d _ -> {
                            keptOut.set(i, new Probs<>(times(ops, forwardOut.get(i).values(), reads),
                                    forwardOut.get(i).n()));
                            reads = null;
                        }
                        case LayerSpec.Flatten _ -> reads = reads == null ? null : ops.any(reads, area(u.inShape()));
                        case LayerSpec.MaxPool _, LayerSpec.AvgPool _, LayerSpec.Relu _, LayerSpec.Dropout _,
                                LayerSpec.BatchNorm _, LayerSpec.GlobalAvgPool _ -> { }
                    }
                }
                case NetworkWalk.Step.BlockStart _, NetworkWalk.Step.BlockEnd _ -> reads = null;
            }
        }
        // 3. count, with what finally arrives at each layer
        S parameters = ops.constant(0);
        S flops = ops.constant(0);
        Probs<V> arriving = new Probs<>(null, spec.inputShapeOf(0)[0]);
        for (NetworkWalk.Step step : steps) {
            switch (step) {
                case NetworkWalk.Step.Unit u -> {
                    int i = u.index();
                    switch (u.layer()) {
                        case LayerSpec.Dense _ -> {
                            S in = sum(ops, keptIn.get(i));
                            S out = sum(ops, keptOut.get(i));
                            S inOut = ops.mul(in, out);
                            parameters = ops.add(parameters, ops.add(inOut, out));
                            flops = ops.add(flops, ops.scale(inOut, 2));
                            arriving = keptOut.get(i);
                        }
                        case LayerSpec.Conv2d c -> {
                            S channels = sum(ops, arriving);
                            S filters = sum(ops, keptOut.get(i));
                            double kk = (double) c.kernel() * c.kernel();
                            int[] out = u.outShape();
                            S cf = ops.mul(channels, filters);
                            parameters = ops.add(parameters, ops.add(ops.scale(cf, kk), filters));
                            flops = ops.add(flops, ops.scale(cf, 2 * kk * out[1] * out[2]));
                            arriving = keptOut.get(i);
                        }
                        case LayerSpec.BatchNorm _ -> {
                            // γ and β per kept channel; a multiply and an add per value
                            S channels = sum(ops, arriving);
                            parameters = ops.add(parameters, ops.scale(channels, 2));
                            flops = ops.add(flops, ops.scale(channels, 2.0 * area(u.inShape())));
                        }
                        case LayerSpec.GlobalAvgPool _ ->
                            flops = ops.add(flops, ops.scale(sum(ops, arriving), area(u.inShape())));
                        // pooling windows are not multiply-adds: neither pooling counts, as in PrunedNetwork.flops
                        case LayerSpec.MaxPool _, LayerSpec.AvgPool _, LayerSpec.Relu _, LayerSpec.Flatten _,
                                LayerSpec.Dropout _ -> { }
                    }
                }
                case NetworkWalk.Step.BlockStart start -> arriving = new Probs<>(null, start.shape()[0]);
                case NetworkWalk.Step.BlockEnd end -> {
                    // the projection (whole: it reads and writes the stream) and the add, neither gated
                    int[] in = end.inShape();
                    int[] out = end.outShape();
                    if (end.projection() != null) {
                        parameters = ops.add(parameters, ops.constant((double) in[0] * out[0] + out[0]));
                        flops = ops.add(flops, ops.constant(2.0 * in[0] * out[0] * area(out)));
                    }
                    flops = ops.add(flops, ops.constant((double) out[0] * area(out)));
                    arriving = new Probs<>(null, out[0]);
                }
            }
        }
        return List.of(parameters, flops);
    }

    private static <V, S> V times(Ops<V, S> ops, V a, V b) {
        return a == null ? b : b == null ? a : ops.times(a, b);
    }

    private static <V, S> S sum(Ops<V, S> ops, Probs<V> p) {
        return p.values() == null ? ops.constant(p.n()) : ops.sum(p.values());
    }

    private static int area(int[] shape) {
        return shape.length == 3 ? shape[1] * shape[2] : 1;
    }

    private static final class HeapOps implements Ops<double[], Double> {
        @Override
        public double[] times(double[] a, double[] b) {
            double[] r = new double[a.length];
            for (int i = 0; i < a.length; i++) {
                r[i] = a[i] * b[i];
            }
            return r;
        }

        @Override
        public Double sum(double[] a) {
            double s = 0;
            for (double v : a) {
                s += v;
            }
            return s;
        }

        @Override
        public double[] expand(double[] channels, int area) {
            double[] r = new double[channels.length * area];
            for (int i = 0; i < r.length; i++) {
                r[i] = channels[i / area];
            }
            return r;
        }

        @Override
        public double[] any(double[] flat, int area) {
            double[] r = new double[flat.length / area];
            for (int c = 0; c < r.length; c++) {
                double none = 1;
                for (int a = 0; a < area; a++) {
                    none *= 1 - flat[c * area + a];
                }
                r[c] = 1 - none;
            }
            return r;
        }

        @Override
        public Double constant(double value) {
            return value;
        }

        @Override
        public Double mul(Double a, Double b) {
            return a * b;
        }

        @Override
        public Double add(Double a, Double b) {
            return a + b;
        }

        @Override
        public Double scale(Double a, double factor) {
            return a * factor;
        }
    }

    /** Arrays on the manager and device of {@code like}; scalars are natively allocated (see HardConcreteGate). */
    private record ArrayOps(NDArray like) implements Ops<NDArray, NDArray> {
        @Override
        public NDArray times(NDArray a, NDArray b) {
            return a.mul(b);
        }

        @Override
        public NDArray sum(NDArray a) {
            return a.sum();
        }

        @Override
        public NDArray expand(NDArray channels, int area) {
            long c = channels.getShape().get(0);
            return channels.reshape(c, 1).broadcast(c, area).reshape(c * area);
        }

        @Override
        public NDArray any(NDArray flat, int area) {
            long c = flat.getShape().get(0) / area;
            NDArray none = flat.neg().add(HardConcreteGate.scalar(flat, 1)).reshape(c, area).prod(new int[] {1});
            return none.neg().add(HardConcreteGate.scalar(none, 1));
        }

        @Override
        public NDArray constant(double value) {
            return HardConcreteGate.scalar(like, value);
        }

        @Override
        public NDArray mul(NDArray a, NDArray b) {
            return a.mul(b);
        }

        @Override
        public NDArray add(NDArray a, NDArray b) {
            return a.add(b);
        }

        @Override
        public NDArray scale(NDArray a, double factor) {
            return a.mul(HardConcreteGate.scalar(a, factor));
        }
    }
}
