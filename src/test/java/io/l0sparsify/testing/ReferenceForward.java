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
                case PrunedLayer.MaxPool m -> pool(m.size(), m.stride(), m.padding(), true, false, x);
                case PrunedLayer.AvgPool a -> pool(a.size(), a.stride(), a.padding(), false, a.countIncludePad(), x);
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
        int d = c.dilation();
        // the taps span d·(k − 1) + 1 values
        int oh = (h + 2 * p - d * (k - 1) - 1) / s + 1;
        int ow = (w + 2 * p - d * (k - 1) - 1) / s + 1;
        float[] y = new float[c.filters() * oh * ow];
        for (int f = 0; f < c.filters(); f++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    double sum = c.bias()[f];
                    for (int ch = 0; ch < channels; ch++) {
                        for (int ki = 0; ki < k; ki++) {
                            for (int kj = 0; kj < k; kj++) {
                                int r = i * s + ki * d - p;
                                int q = j * s + kj * d - p;
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

    /**
     * Max ({@code max}) or average pooling over size×size windows of the map padded by {@code padding} on each
     * side: a padded position never wins a max (−∞) and adds zero to an average, whose divisor is size² with
     * {@code countIncludePad}, else the number of positions inside the map.
     */
    private static Activation pool(int size, int stride, int padding, boolean max, boolean countIncludePad,
            Activation x) {
        int[] shape = x.shape();
        int oh = (shape[1] + 2 * padding - size) / stride + 1;
        int ow = (shape[2] + 2 * padding - size) / stride + 1;
        float[] y = new float[shape[0] * oh * ow];
        for (int ch = 0; ch < shape[0]; ch++) {
            for (int i = 0; i < oh; i++) {
                for (int j = 0; j < ow; j++) {
                    double best = Double.NEGATIVE_INFINITY;
                    double sum = 0;
                    int inside = 0;
                    for (int a = 0; a < size; a++) {
                        for (int b = 0; b < size; b++) {
                            int r = i * stride + a - padding;
                            int q = j * stride + b - padding;
                            if (r < 0 || r >= shape[1] || q < 0 || q >= shape[2]) {
                                continue;
                            }
                            float v = x.values()[(ch * shape[1] + r) * shape[2] + q];
                            best = Math.max(best, v);
                            sum += v;
                            inside++;
                        }
                    }
                    y[(ch * oh + i) * ow + j] = (float) (max ? best
                            : sum / (countIncludePad ? size * size : inside));
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
