package io.l0sparsify.dataset;

import java.util.SplittableRandom;

/**
 * Random translations and mirror images of the training images, the paper's CIFAR recipe (the contract's
 * {@code training.augmentation}): each image is padded by {@code padding} pixels on every side, a window of the
 * original H×W is cut from a uniformly drawn position, and the window is mirrored left to right with probability
 * ½ when {@code flip} is set — torchvision's {@code RandomCrop(H, padding)} then {@code RandomHorizontalFlip()},
 * as the authors' data loader applies them.
 *
 * <p>Where in the pipeline: the padding is zero in the stored values, before preprocessing, as torchvision pads
 * the raw image before {@code ToTensor} and {@code Normalize}: a black border in pixel space, which after
 * standardisation is {@code −mean[c]/std[c]}, not 0. (Cropping and mirroring commute with the per-channel affine
 * preprocessing, so the values are preprocessed first and the border is the preprocessed zero.)
 *
 * <p>Reproducible: the draw of an example depends only on the run's seed, the epoch and the example's index, so
 * a run resumed from a checkpoint sees the same augmented images as the run that never stopped, whatever the
 * batch size. Training batches only; evaluation always sees the images as they are.
 *
 * @param padding pixels added on each side before cropping; 0 to only mirror
 * @param flip whether to mirror left to right with probability ½
 */
public record Augmentation(int padding, boolean flip) {

    /** The paper's padding for 32×32 CIFAR images. */
    public static final int DEFAULT_PADDING = 4;
    /** An upper bound for the contract: a border wider than this is no longer a translation of the image. */
    public static final int MAX_PADDING = 64;

    /** Checks the values; messages start with the field name under {@code augmentation}. */
    public Augmentation {
        if (padding < 0 || padding > MAX_PADDING) {
            throw new IllegalArgumentException("augmentation.padding: must be between 0 and " + MAX_PADDING
                    + " but is " + padding);
        }
        if (padding == 0 && !flip) {
            throw new IllegalArgumentException("augmentation: padding 0 without flip changes nothing; leave"
                    + " augmentation out");
        }
    }

    /** The paper's CIFAR augmentation: 4-pixel padding, random crop, random horizontal flip. */
    public static Augmentation paper() {
        return new Augmentation(DEFAULT_PADDING, true);
    }

    /** The binding's entry point: absent members (null) take the paper's values. */
    public static Augmentation fromFields(Integer padding, Boolean flip) {
        return new Augmentation(padding != null ? padding : DEFAULT_PADDING, flip == null || flip);
    }

    /**
     * Where the window of one example is cut: it starts at row {@code top} and column {@code left} of the padded
     * image (each in [0, 2·padding]), and is mirrored when {@code mirrored}.
     */
    public record Draw(int top, int left, boolean mirrored) {}

    /** The draw of example {@code example} in epoch {@code epoch} of a run seeded with {@code seed}. */
    public Draw draw(long seed, int epoch, int example) {
        // one independent stream per (seed, epoch, example): SplittableRandom mixes its seed, so neighbouring keys
        // give unrelated draws
        SplittableRandom random = new SplittableRandom(new SplittableRandom(seed ^ 0x41554730L)
                .split().nextLong() + 0x9E3779B97F4A7C15L * epoch + 0xC2B2AE3D27D4EB4FL * example);
        int top = random.nextInt(2 * padding + 1);
        int left = random.nextInt(2 * padding + 1);
        boolean mirrored = flip && random.nextBoolean();
        return new Draw(top, left, mirrored);
    }

    /**
     * The examples {@code order[start], …, order[start + count − 1]}, preprocessed and augmented with their draws
     * of {@code epoch}, one after another into {@code destination} from 0: a training minibatch.
     *
     * @param scratch at least one example's values, overwritten
     * @throws IllegalArgumentException when the examples are not images
     */
    public void copyInto(Examples examples, int[] order, int start, int count, Preprocessing preprocessing,
            long seed, int epoch, float[] destination, float[] scratch) {
        InputShape shape = examples.shape();
        if (!shape.isImage()) {
            throw new IllegalArgumentException("augmentation applies to images [C, H, W], not to examples of shape "
                    + shape);
        }
        int exampleSize = shape.size();
        Examples.ByteTable table = Examples.ByteTable.of(examples, preprocessing, (long) count * exampleSize);
        for (int i = 0; i < count; i++) {
            int example = order[start + i];
            examples.copyInto(example, preprocessing, table, scratch, 0);
            apply(shape, preprocessing, draw(seed, epoch, example), scratch, destination, i * exampleSize);
        }
    }

    /**
     * Writes one preprocessed image {@code source} ([C, H, W]) cut and mirrored as {@code draw} says into
     * {@code destination} from {@code offset}: {@code out[c][y][x] = padded[c][y + top][x' + left]} with
     * {@code x' = W − 1 − x} when mirrored (crop first, then mirror, as torchvision composes them), where the
     * padded image is the source moved by {@code padding} and surrounded by the preprocessed zero of its channel.
     */
    void apply(InputShape shape, Preprocessing preprocessing, Draw draw, float[] source, float[] destination,
            int offset) {
        int channels = shape.dims().get(0);
        int height = shape.dims().get(1);
        int width = shape.dims().get(2);
        for (int c = 0; c < channels; c++) {
            float border = preprocessing.apply(0f, preprocessing.meanOf(c), preprocessing.stdOf(c));
            int plane = c * height * width;
            for (int y = 0; y < height; y++) {
                int sy = y + draw.top() - padding;
                int row = offset + plane + y * width;
                if (sy < 0 || sy >= height) {
                    java.util.Arrays.fill(destination, row, row + width, border);
                    continue;
                }
                int sourceRow = plane + sy * width;
                for (int x = 0; x < width; x++) {
                    int sx = (draw.mirrored() ? width - 1 - x : x) + draw.left() - padding;
                    destination[row + x] = sx < 0 || sx >= width ? border : source[sourceRow + sx];
                }
            }
        }
    }
}
