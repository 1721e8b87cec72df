package io.l0sparsify.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

/** How stored values become network input, and how a dataset is fitted to a model's input shape. */
class TrainingDataTest {

    /** Two examples [2, 1, 2]: channel 0 then channel 1, one row of two values each. */
    private static final Examples TWO_CHANNELS = new Examples("t", InputShape.image(2, 1, 2),
            new ExampleValues.UnsignedBytes(new byte[] {0, (byte) 255, 51, 102, 10, 20, 30, 40}), new int[] {0, 1});

    private static final Preprocessing STANDARDISED = new Preprocessing(1.0 / 255.0, List.of(0.5, 0.2),
            List.of(0.25, 0.1));

    @Test
    void eachValueIsScaledThenStandardisedWithItsChannelsMeanAndStd() {
        float[] input = new float[4];
        TWO_CHANNELS.copyInto(0, STANDARDISED, input, 0);
        // channel 0: (0/255 − 0.5)/0.25 = −2, (255/255 − 0.5)/0.25 = 2; channel 1: (51/255 − 0.2)/0.1 = 0,
        // (102/255 − 0.2)/0.1 = 2
        assertThat(input).containsExactly(new float[] {-2f, 2f, 0f, 2f}, org.assertj.core.data.Offset.offset(1e-6f));
    }

    /**
     * Minibatches of bytes are looked up in per-channel tables, not computed: the floats must be the formula's
     * own, for one scale over everything (one table), an image standardised per channel (a table per channel,
     * two channels sharing one), and a feature vector standardised per feature (more table entries than values
     * copied: computed instead).
     */
    @Test
    void lookedUpMinibatchesAreTheFormulasFloats() {
        java.util.Random random = new java.util.Random(9);
        List<Examples> sets = List.of(
                bytes(random, InputShape.features(20), 50),
                bytes(random, InputShape.image(3, 16, 16), 50));
        for (Examples examples : sets) {
            int channels = examples.shape().channels();
            List<Double> means = new java.util.ArrayList<>();
            List<Double> stds = new java.util.ArrayList<>();
            for (int c = 0; c < channels; c++) {
                // neighbours share their statistics now and then, so shared and own tables both occur
                means.add(c % 3 == 1 ? means.get(c - 1) : random.nextDouble());
                stds.add(c % 3 == 1 ? stds.get(c - 1) : 0.1 + random.nextDouble());
            }
            for (Preprocessing preprocessing : List.of(Preprocessing.scaleOnly(1 / 255.0, channels),
                    new Preprocessing(1 / 255.0, means, stds))) {
                int size = examples.shape().size();
                int[] order = {7, 3, 3, 41, 0};
                for (int count : new int[] {1, order.length}) {
                    float[] batch = new float[count * size];
                    examples.copyInto(order, 0, count, preprocessing, batch);
                    float[] range = new float[count * size];
                    examples.copyRangeInto(5, count, preprocessing, range);
                    byte[] stored = ((ExampleValues.UnsignedBytes) examples.values()).values();
                    for (int k = 0; k < count; k++) {
                        for (int j = 0; j < size; j++) {
                            int c = j / examples.shape().valuesPerChannel();
                            assertThat(batch[k * size + j]).isEqualTo(preprocessing.apply(
                                    stored[order[k] * size + j] & 0xFF, preprocessing.meanOf(c), preprocessing.stdOf(c)));
                            assertThat(range[k * size + j]).isEqualTo(preprocessing.apply(
                                    stored[(5 + k) * size + j] & 0xFF, preprocessing.meanOf(c), preprocessing.stdOf(c)));
                        }
                    }
                }
            }
        }
    }

    private static Examples bytes(java.util.Random random, InputShape shape, int count) {
        byte[] values = new byte[count * shape.size()];
        random.nextBytes(values);
        return new Examples("random", shape, new ExampleValues.UnsignedBytes(values), new int[count]);
    }

    @Test
    void aMinibatchIsFormedInTheOrderGiven() {
        float[] batch = new float[8];
        TWO_CHANNELS.copyInto(new int[] {1, 0}, 0, 2, Preprocessing.scaleOnly(1, 2), batch);
        assertThat(batch).containsExactly(10f, 20f, 30f, 40f, 0f, 255f, 51f, 102f);
    }

    @Test
    void anImageDatasetIsSeenAsFlatFeaturesForAFlatModelSharingItsBytes() {
        TrainingData images = new TrainingData(TWO_CHANNELS, TWO_CHANNELS, STANDARDISED, List.of("a", "b"),
                new TrainingData.SplitOrigin.FromFormat());
        TrainingData flat = images.shapedFor(InputShape.features(4));
        assertThat(flat.shape()).isEqualTo(InputShape.features(4));
        assertThat(flat.train().values()).isSameAs(TWO_CHANNELS.values());
        // per-channel statistics become per-feature ones: the same numbers reach the network
        assertThat(flat.preprocessing().mean()).containsExactly(0.5, 0.5, 0.2, 0.2);
        float[] fromImage = new float[4];
        float[] fromFlat = new float[4];
        images.train().copyInto(1, images.preprocessing(), fromImage, 0);
        flat.train().copyInto(1, flat.preprocessing(), fromFlat, 0);
        assertThat(fromFlat).containsExactly(fromImage);
        assertThat(images.shapedFor(InputShape.image(2, 1, 2))).isSameAs(images);
    }

    @Test
    void oneMeanForEveryChannelStaysOneWhenFlattened() {
        Preprocessing mnist = Preprocessing.scaleOnly(1.0 / 255.0, 1);
        assertThat(mnist.flattened(InputShape.image(1, 28, 28))).isEqualTo(mnist);
        assertThat(mnist.fits(InputShape.features(784))).isTrue();
        assertThat(mnist.select(new int[] {3, 700})).isEqualTo(mnist);
    }

    @Test
    void keptFeaturesKeepTheirOwnStatistics() {
        Preprocessing perFeature = new Preprocessing(1, List.of(1.0, 2.0, 3.0), List.of(4.0, 5.0, 6.0));
        Preprocessing kept = perFeature.select(new int[] {2, 0});
        assertThat(kept.mean()).containsExactly(3.0, 1.0);
        assertThat(kept.std()).containsExactly(6.0, 4.0);
    }

    @Test
    void aShapeTheModelCannotTakeIsRefusedNamingBoth() {
        TrainingData images = new TrainingData(TWO_CHANNELS, TWO_CHANNELS, STANDARDISED, List.of("a", "b"),
                new TrainingData.SplitOrigin.FromFormat());
        assertThatThrownBy(() -> images.shapedFor(InputShape.features(5)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the dataset's examples have shape [2, 1, 2] but the model's inputShape is [5]");
        assertThatThrownBy(() -> images.shapedFor(InputShape.image(2, 2, 1)))
                .hasMessage("the dataset's examples have shape [2, 1, 2] but the model's inputShape is [2, 2, 1]");
    }

    @Test
    void preprocessingForAnotherNumberOfChannelsIsRefused() {
        assertThatThrownBy(() -> new TrainingData(TWO_CHANNELS, TWO_CHANNELS, Preprocessing.scaleOnly(1, 3),
                List.of("a", "b"), new TrainingData.SplitOrigin.FromFormat()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("preprocessing for 3 channels");
    }

    @Test
    void aDatasetWithoutItsOwnSplitHasNoGivenSplit() {
        LabelledDataset unsplit = new LabelledDataset(TWO_CHANNELS.shape(), List.of("a", "b"),
                new LabelledDataset.Splits.Unsplit(TWO_CHANNELS));
        assertThatThrownBy(() -> TrainingData.ofGivenSplit(unsplit)).isInstanceOf(IllegalArgumentException.class);
        LabelledDataset given = new LabelledDataset(TWO_CHANNELS.shape(), List.of("a", "b"),
                new LabelledDataset.Splits.Given(TWO_CHANNELS, TWO_CHANNELS));
        assertThat(TrainingData.ofGivenSplit(given).preprocessing())
                .isEqualTo(Preprocessing.scaleOnly(1.0 / 255.0, 2));
    }
}
