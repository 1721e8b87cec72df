package io.l0sparsify.testing;

/** A batch of network outputs in tests: a flat array as the engines give it, and how far two batches differ. */
public final class Logits {

    private Logits() {}

    /** {@code flat}, {@code batch} rows of equal length, one row per example. */
    public static float[][] rows(float[] flat, int batch) {
        if (batch < 1 || flat.length % batch != 0) {
            throw new IllegalArgumentException(flat.length + " values are not " + batch + " rows");
        }
        int width = flat.length / batch;
        float[][] rows = new float[batch][width];
        for (int i = 0; i < batch; i++) {
            System.arraycopy(flat, i * width, rows[i], 0, width);
        }
        return rows;
    }

    /** The largest absolute difference between two batches of the same shape. */
    public static double maxDifference(float[][] a, float[][] b) {
        if (a.length != b.length) {
            throw new AssertionError(a.length + " rows against " + b.length);
        }
        double max = 0;
        for (int i = 0; i < a.length; i++) {
            if (a[i].length != b[i].length) {
                throw new AssertionError("row " + i + ": " + a[i].length + " values against " + b[i].length);
            }
            for (int j = 0; j < a[i].length; j++) {
                max = Math.max(max, Math.abs(a[i][j] - b[i][j]));
            }
        }
        return max;
    }
}
