package io.l0sparsify.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Crops and flips of a tiny image against hand-drawn results, and draws reproducible from the seed. */
class AugmentationTest {

    /**
     * One 1×3×3 image with values 1…9 (row by row):
     *
     * <pre>
     *   1 2 3
     *   4 5 6
     *   7 8 9
     * </pre>
     */
    private static final InputShape SHAPE = InputShape.image(1, 3, 3);
    private static final float[] IMAGE = {1, 2, 3, 4, 5, 6, 7, 8, 9};
    private static final Preprocessing IDENTITY = Preprocessing.scaleOnly(1, 1);

    private static float[] apply(Augmentation augmentation, Augmentation.Draw draw, Preprocessing preprocessing,
            float[] image) {
        float[] out = new float[image.length];
        augmentation.apply(SHAPE, preprocessing, draw, image, out, 0);
        return out;
    }

    @Test
    void theCentredWindowWithoutMirroringIsTheImageItself() {
        // padding 1: the window starting at (1, 1) of the padded 5×5 image is the original
        assertThat(apply(new Augmentation(1, true), new Augmentation.Draw(1, 1, false), IDENTITY, IMAGE))
                .containsExactly(IMAGE);
    }

    @Test
    void aWindowAtTheTopLeftCornerShiftsTheImageDownRightBehindAZeroBorder() {
        // padded with 1: row 0 and column 0 of the window are border
        //   0 0 0
        //   0 1 2
        //   0 4 5
        assertThat(apply(new Augmentation(1, true), new Augmentation.Draw(0, 0, false), IDENTITY, IMAGE))
                .containsExactly(0, 0, 0, 0, 1, 2, 0, 4, 5);
        // bottom-right corner (2, 2): the image moves up and left
        //   5 6 0
        //   8 9 0
        //   0 0 0
        assertThat(apply(new Augmentation(1, true), new Augmentation.Draw(2, 2, false), IDENTITY, IMAGE))
                .containsExactly(5, 6, 0, 8, 9, 0, 0, 0, 0);
    }

    @Test
    void mirroringReversesEachRowOfTheWindow() {
        // centred window mirrored: 3 2 1 / 6 5 4 / 9 8 7
        assertThat(apply(new Augmentation(1, true), new Augmentation.Draw(1, 1, true), IDENTITY, IMAGE))
                .containsExactly(3, 2, 1, 6, 5, 4, 9, 8, 7);
        // crop first, then mirror (torchvision's order): the top-left window 0 0 0 / 0 1 2 / 0 4 5 mirrored
        assertThat(apply(new Augmentation(1, true), new Augmentation.Draw(0, 0, true), IDENTITY, IMAGE))
                .containsExactly(0, 0, 0, 2, 1, 0, 5, 4, 0);
    }

    @Test
    void theBorderIsZeroInPixelSpaceSoStandardisedItIsMinusMeanOverStd() {
        // x' = (x/255 − 0.5)/0.25: a black border is (0 − 0.5)/0.25 = −2; pixel 51 is (0.2 − 0.5)/0.25 = −1.2
        Preprocessing standardised = new Preprocessing(1.0 / 255.0, List.of(0.5), List.of(0.25));
        Examples one = new Examples("t", SHAPE, new ExampleValues.UnsignedBytes(new byte[] {51, 51, 51, 51, 51,
                51, 51, 51, 51}), new int[] {0});
        float[] scratch = new float[9];
        float[] out = new float[9];
        Augmentation augmentation = new Augmentation(1, false);
        // find a seed whose draw for (epoch 0, example 0) is the top-left window
        long seed = 0;
        while (!augmentation.draw(seed, 0, 0).equals(new Augmentation.Draw(0, 0, false))) {
            seed++;
        }
        augmentation.copyInto(one, new int[] {0}, 0, 1, standardised, seed, 0, out, scratch);
        assertThat(out).containsExactly(new float[] {-2f, -2f, -2f, -2f, -1.2f, -1.2f, -2f, -1.2f, -1.2f},
                org.assertj.core.data.Offset.offset(1e-6f));
    }

    @Test
    void everyChannelGetsTheSameWindowAndItsOwnBorder() {
        InputShape twoChannels = InputShape.image(2, 1, 2);
        Preprocessing perChannel = new Preprocessing(1, List.of(1.0, -1.0), List.of(1.0, 0.5));
        float[] image = {10, 20, 30, 40}; // already preprocessed: channel 0 = 10 20, channel 1 = 30 40
        float[] out = new float[4];
        // padding 1 on a 1×2 image, window at (1, 0): the row itself, shifted right by one
        new Augmentation(1, false).apply(twoChannels, perChannel, new Augmentation.Draw(1, 0, false), image, out, 0);
        // borders: (0 − 1)/1 = −1 for channel 0, (0 + 1)/0.5 = 2 for channel 1
        assertThat(out).containsExactly(-1, 10, 2, 30);
    }

    @Test
    void drawsDependOnlyOnSeedEpochAndExampleAndCoverEveryWindow() {
        Augmentation paper = Augmentation.paper();
        assertThat(paper.draw(7, 3, 12)).isEqualTo(paper.draw(7, 3, 12));
        Set<Augmentation.Draw> seen = new HashSet<>();
        int mirrored = 0;
        int sameAsNextEpoch = 0;
        int sameAsOtherSeed = 0;
        for (int example = 0; example < 20_000; example++) {
            Augmentation.Draw draw = paper.draw(7, 3, example);
            assertThat(draw.top()).isBetween(0, 8);
            assertThat(draw.left()).isBetween(0, 8);
            seen.add(draw);
            mirrored += draw.mirrored() ? 1 : 0;
            sameAsNextEpoch += draw.equals(paper.draw(7, 4, example)) ? 1 : 0;
            sameAsOtherSeed += draw.equals(paper.draw(8, 3, example)) ? 1 : 0;
        }
        // 9 · 9 windows, each mirrored or not: all 162 appear in 20 000 draws
        assertThat(seen).hasSize(162);
        // half mirrored: 10 000 ± 4σ (σ = √(20 000 · ¼) ≈ 71)
        assertThat(mirrored).isBetween(10_000 - 284, 10_000 + 284);
        // another epoch or seed draws anew: a match by chance is 1 in 162 (≈ 123 of 20 000)
        assertThat(sameAsNextEpoch).isLessThan(250);
        assertThat(sameAsOtherSeed).isLessThan(250);
    }

    @Test
    void aMinibatchIsTheSameWhateverTheBatchItFallsIn() {
        Examples three = new Examples("t", SHAPE, new ExampleValues.Floats(new float[27]), new int[] {0, 1, 2});
        for (int i = 0; i < 27; i++) {
            ((ExampleValues.Floats) three.values()).values()[i] = i;
        }
        int[] order = {2, 0, 1};
        Augmentation augmentation = new Augmentation(2, true);
        float[] scratch = new float[9];
        float[] whole = new float[27];
        augmentation.copyInto(three, order, 0, 3, IDENTITY, 5, 1, whole, scratch);
        float[] last = new float[9];
        augmentation.copyInto(three, order, 2, 1, IDENTITY, 5, 1, last, scratch);
        assertThat(java.util.Arrays.copyOfRange(whole, 18, 27)).containsExactly(last);
    }

    @Test
    void featureVectorsAndUselessSettingsAreRefused() {
        Examples features = new Examples("t", InputShape.features(3), new ExampleValues.Floats(new float[3]),
                new int[] {0});
        assertThatThrownBy(() -> Augmentation.paper().copyInto(features, new int[] {0}, 0, 1,
                Preprocessing.scaleOnly(1, 3), 1, 0, new float[3], new float[3]))
                .hasMessageContaining("applies to images");
        assertThatThrownBy(() -> new Augmentation(0, false)).hasMessageStartingWith("augmentation: padding 0");
        assertThatThrownBy(() -> new Augmentation(65, true)).hasMessageStartingWith("augmentation.padding:");
        assertThat(Augmentation.fromFields(null, null)).isEqualTo(Augmentation.paper());
    }
}
