package io.l0sparsify.dataset;

/**
 * Labelled images held on the Java heap, pixels scaled to [0, 1], row-major per image.
 *
 * @param name where it came from (for messages)
 * @param rows image height
 * @param cols image width
 * @param pixels {@code count · rows · cols} values
 * @param labels one class index per image
 */
public record ImageDataset(String name, int rows, int cols, float[] pixels, int[] labels) {

    public ImageDataset {
        if (pixels.length != (long) labels.length * rows * cols) {
            throw new IllegalArgumentException(name + ": " + labels.length + " labels but " + pixels.length
                    + " pixels for " + rows + "x" + cols + " images");
        }
    }

    public int size() {
        return labels.length;
    }

    public int imageSize() {
        return rows * cols;
    }

    /** The number of classes: the largest label plus one. */
    public int numClasses() {
        int max = -1;
        for (int label : labels) {
            max = Math.max(max, label);
        }
        return max + 1;
    }

    /** The first {@code n} images (all when n ≥ size), for short runs and tests. */
    public ImageDataset head(int n) {
        if (n >= size()) {
            return this;
        }
        float[] p = java.util.Arrays.copyOf(pixels, n * imageSize());
        int[] l = java.util.Arrays.copyOf(labels, n);
        return new ImageDataset(name + "[0:" + n + "]", rows, cols, p, l);
    }
}
