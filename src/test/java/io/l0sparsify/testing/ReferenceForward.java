package io.l0sparsify.testing;

import io.l0sparsify.prune.PrunedLayer;
import io.l0sparsify.prune.PrunedNetwork;

/**
 * The forward pass of a {@link PrunedNetwork} in plain loops, one example at a time, written from the layer
 * definitions alone: the yardstick for ONNX Runtime and for networks read back from weights.json. Values
 * are accumulated in double so that the yardstick itself adds no float32 error worth mentioning.
 */
public final class ReferenceForward {

    private ReferenceForward() {}

    /** {@code inputs [batch, ...inputShape]} row-major → logits {@code [batch][numClasses]}. */
    public static float[][] logits(PrunedNetwork network, float[] inputs, int batch) {
        int size = inputs.length / batch;
        float[][] out = new float[batch][];
        for (int b = 0; b < batch; b++) {
            float[] x = new float[size];
            System.arraycopy(inputs, b * size, x, 0, size);
            out[b] = forward(network, x);
        }
        return out;
    }

    /** One example's activation: values row-major in {@code shape}. */
    private record Activation(float[] values, int[] shape) {}

    private static float[] forward(PrunedNetwork network, float[] input) {
        Activation x = new Activation(input, network.inputShape().stream().mapToInt(Integer::intValue).toArray());
        return forward(network.layers(), x).values();
    }

    private static Activation forward(java.util.List<PrunedLayer> layers, Activation input) {
        Activation x = input;
        for (PrunedLayer layer : layers) {
            x = switch (layer) {
                case PrunedLayer.Dense d -> new Activation(dense(d, x.values()), new int[] {d.units()});
                case PrunedLayer.Conv2d c -> conv(c, x.values(), x.shape());
                case PrunedLayer.MaxPool m -> maxPool(m, x.values(), x.shape());
                case PrunedLayer.Relu _ -> new Activation(relu(x.values()), x.shape());
                // channel-major values are already in flattened order
                case PrunedLayer.Flatten _ -> new Activation(x.values(), new int[] {x.values().length});
                case PrunedLayer.BatchNorm b -> batchNorm(b, x);
                case PrunedLayer.GlobalAvgPool _ -> globalAverage(x);
                case PrunedLayer.Residual r -> {
                    Activation body = forward(r.body(), x);
                    Activation shortcut = r.projection() == null ? x : conv(r.projection(), x.values(), x.shape());
                    float[] sum = new float[body.values().length];
                    for (int i = 0; i < sum.length; i++) {
                        sum[i] = body.values()[i] + shortcut.values()[i];
                    }
                    yield new Activation(sum, body.shape());
                }
            };
        }
        return x;
    }

    /** γ·(x − mean)/√(var + eps) + β per channel (axis 0 of one example). */
    private static Activation batchNorm(PrunedLayer.BatchNorm b, Activation x) {
        int channels = x.shape()[0];
        int area = x.values().length / channels;
        float[] y = new float[x.values().length];
        for (int c = 0; c < channels; c++) {
            double scale = b.gamma()[c] / Math.sqrt((double) b.runningVar()[c] + b.eps());
            for (int a = 0; a < area; a++) {
                y[c * area + a] = (float) ((x.values()[c * area + a] - (double) b.runningMean()[c]) * scale
                        + b.beta()[c]);
            }
        }
        return new Activation(y, x.shape());
    }

    private static Activation globalAverage(Activation x) {
        int channels = x.shape()[0];
        int area = x.values().length / channels;
        float[] y = new float[channels];
        for (int c = 0; c < channels; c++) {
            double sum = 0;
            for (int a = 0; a < area; a++) {
                sum += x.values()[c * area + a];
            }
            y[c] = (float) (sum / area);
        }
        return new Activation(y, new int[] {channels});
    }

    private static float[] dense(PrunedLayer.Dense d, float[] x) {
        float[] in = new float[d.inputs()];
        for (int j = 0; j < in.length; j++) {
            in[j] = d.gather() == null ? x[j] : x[d.gather()[j]];
        }
        float[] y = new float[d.units()];
        for (int u = 0; u < y.length; u++) {
            double sum = d.bias()[u];
            for (int j = 0; j < in.length; j++) {
                sum += (double) d.weight()[u * in.length + j] * in[j];
            }
            y[u] = (float) sum;
        }
        return y;
    }

    private static Activation conv(PrunedLayer.Conv2d c, float[] x, int[] shape) {
        int channels = shape[0];
        int h = shape[1];
        int w = shape[2];
        int k = c.kernel();
        int p = c.padding();
        int s = c.stride();
        int oh = (h + 2 * p - k) / s + 1;
        int ow = (w + 2 * p - k) / s + 1;
        float[] y = new float[c.filters() * oh * ow];
        for (int f = 0; f < c.filters(); f++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    double sum = c.bias()[f];
                    for (int ch = 0; ch < channels; ch++) {
                        for (int ki = 0; ki < k; ki++) {
                            for (int kj = 0; kj < k; kj++) {
                                int r = i * s + ki - p;
                                int q = j * s + kj - p;
                                if (r < 0 || r >= h || q < 0 || q >= w) {
                                    continue;
                                }
                                sum += (double) c.weight()[((f * channels + ch) * k + ki) * k + kj]
                                        * x[(ch * h + r) * w + q];
                            }
                        }
                    }
                    y[(f * oh + i) * ow + j] = (float) sum;
                }
            }
        }
        return new Activation(y, new int[] {c.filters(), oh, ow});
    }

    private static Activation maxPool(PrunedLayer.MaxPool m, float[] x, int[] shape) {
        int oh = (shape[1] - m.size()) / m.stride() + 1;
        int ow = (shape[2] - m.size()) / m.stride() + 1;
        float[] y = new float[shape[0] * oh * ow];
        for (int ch = 0; ch < shape[0]; ch++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    float max = Float.NEGATIVE_INFINITY;
                    for (int a = 0; a < m.size(); a++) {
                        for (int b = 0; b < m.size(); b++) {
                            int r = i * m.stride() + a;
                            int q = j * m.stride() + b;
                            max = Math.max(max, x[(ch * shape[1] + r) * shape[2] + q]);
                        }
                    }
                    y[(ch * oh + i) * ow + j] = max;
                }
            }
        }
        return new Activation(y, new int[] {shape[0], oh, ow});
    }

    private static float[] relu(float[] x) {
        float[] y = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            y[i] = Math.max(0f, x[i]);
        }
        return y;
    }
}
