package io.l0sparsify.prune;

import java.util.List;

/** A plain-Java forward pass of a {@link PrunedNetwork}, loops only: the oracle for tests. */
public final class ReferenceForward {

    private ReferenceForward() {}

    public static double[] logits(PrunedNetwork network, float[] input) {
        double[] x = new double[input.length];
        for (int i = 0; i < input.length; i++) {
            x[i] = input[i];
        }
        List<Integer> in = network.inputShape();
        int[] shape = in.stream().mapToInt(Integer::intValue).toArray();
        for (PrunedLayer layer : network.layers()) {
            if (layer instanceof PrunedLayer.Dense d) {
                double[] v = x;
                if (d.gather() != null) {
                    v = new double[d.gather().length];
                    for (int j = 0; j < v.length; j++) {
                        v[j] = x[d.gather()[j]];
                    }
                }
                double[] y = new double[d.units()];
                for (int u = 0; u < y.length; u++) {
                    double s = d.bias()[u];
                    for (int j = 0; j < d.inputs(); j++) {
                        s += d.weight()[u * d.inputs() + j] * v[j];
                    }
                    y[u] = s;
                }
                x = y;
                shape = new int[] {y.length};
            } else if (layer instanceof PrunedLayer.Conv2d c) {
                int h = shape[1];
                int w = shape[2];
                int k = c.kernel();
                int oh = (h + 2 * c.padding() - k) / c.stride() + 1;
                int ow = (w + 2 * c.padding() - k) / c.stride() + 1;
                double[] y = new double[c.filters() * oh * ow];
                for (int f = 0; f < c.filters(); f++) {
                    for (int r = 0; r < oh; r++) {
                        for (int q = 0; q < ow; q++) {
                            double s = c.bias()[f];
                            for (int ch = 0; ch < c.inChannels(); ch++) {
                                for (int a = 0; a < k; a++) {
                                    for (int b = 0; b < k; b++) {
                                        int rr = r * c.stride() + a - c.padding();
                                        int qq = q * c.stride() + b - c.padding();
                                        if (rr >= 0 && rr < h && qq >= 0 && qq < w) {
                                            s += c.weight()[((f * c.inChannels() + ch) * k + a) * k + b]
                                                    * x[(ch * h + rr) * w + qq];
                                        }
                                    }
                                }
                            }
                            y[(f * oh + r) * ow + q] = s;
                        }
                    }
                }
                x = y;
                shape = new int[] {c.filters(), oh, ow};
            } else if (layer instanceof PrunedLayer.MaxPool p) {
                int oh = (shape[1] - p.size()) / p.stride() + 1;
                int ow = (shape[2] - p.size()) / p.stride() + 1;
                double[] y = new double[shape[0] * oh * ow];
                for (int ch = 0; ch < shape[0]; ch++) {
                    for (int r = 0; r < oh; r++) {
                        for (int q = 0; q < ow; q++) {
                            double m = Double.NEGATIVE_INFINITY;
                            for (int a = 0; a < p.size(); a++) {
                                for (int b = 0; b < p.size(); b++) {
                                    m = Math.max(m, x[(ch * shape[1] + r * p.stride() + a) * shape[2] + q * p.stride() + b]);
                                }
                            }
                            y[(ch * oh + r) * ow + q] = m;
                        }
                    }
                }
                x = y;
                shape = new int[] {shape[0], oh, ow};
            } else if (layer instanceof PrunedLayer.Relu) {
                for (int i = 0; i < x.length; i++) {
                    x[i] = Math.max(0, x[i]);
                }
            } else if (layer instanceof PrunedLayer.Flatten) {
                shape = new int[] {x.length};
            }
        }
        return x;
    }
}
