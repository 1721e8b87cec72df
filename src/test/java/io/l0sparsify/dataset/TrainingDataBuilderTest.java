package io.l0sparsify.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class TrainingDataBuilderTest {

    private static final List<String> TWO = List.of("a", "b");

    /** Two-channel 1×2 images: channel 0 holds (10, 30), channel 1 holds (v, v) for the example's own v. */
    private static Examples images(String name, int[] labels, int... channelOneValues) {
        byte[] bytes = new byte[labels.length * 4];
        for (int i = 0; i < labels.length; i++) {
            bytes[4 * i] = 10;
            bytes[4 * i + 1] = 30;
            bytes[4 * i + 2] = (byte) channelOneValues[i];
            bytes[4 * i + 3] = (byte) channelOneValues[i];
        }
        return new Examples(name, InputShape.image(2, 1, 2), new ExampleValues.UnsignedBytes(bytes), labels);
    }

    @Test
    void aGivenSplitIsKeptAndScaledByDefault() {
        Examples train = images("train", new int[] {0, 1, 1}, 0, 255, 51);
        Examples test = images("test", new int[] {1}, 200);
        LabelledDataset dataset = new LabelledDataset(InputShape.image(2, 1, 2), TWO,
                new LabelledDataset.Splits.Given(train, test));

        TrainingData data = TrainingDataBuilder.build(dataset, DatasetRef.of("builtin:x"), 0.2, 1, 0, 0);

        assertThat(data.split()).isEqualTo(new TrainingData.SplitOrigin.FromFormat());
        assertThat(data.train()).isSameAs(train);
        assertThat(data.test()).isSameAs(test);
        assertThat(data.preprocessing()).isEqualTo(Preprocessing.scaleOnly(1 / 255.0, 2));
        assertThat(data.classNames()).isEqualTo(TWO);
    }

    @Test
    void standardisationUsesTheTrainingPartOnly() {
        Examples train = images("train", new int[] {0, 1, 1}, 0, 255, 51);
        Examples test = images("test", new int[] {1}, 255);
        LabelledDataset dataset = new LabelledDataset(InputShape.image(2, 1, 2), TWO,
                new LabelledDataset.Splits.Given(train, test));

        TrainingData data = TrainingDataBuilder.build(dataset, new DatasetRef("builtin:x", null, null, null, true),
                0.2, 1, 0, 0);

        Preprocessing p = data.preprocessing();
        // channel 0: 10/255 and 30/255 alike in every example: mean 20/255, population std 10/255
        assertThat(p.mean().get(0)).isCloseTo(20 / 255.0, within(1e-12));
        assertThat(p.std().get(0)).isCloseTo(10 / 255.0, within(1e-12));
        // channel 1: 0, 1, 0.2 (each twice): mean 0.4, variance (0.16 + 0.36 + 0.04) / 3 = 0.18667; the test
        // example's 255 does not enter
        assertThat(p.mean().get(1)).isCloseTo(0.4, within(1e-12));
        assertThat(p.std().get(1)).isCloseTo(Math.sqrt(0.56 / 3), within(1e-12));
        float[] input = new float[4];
        data.train().copyInto(1, p, input, 0);
        assertThat(input[2]).isCloseTo((float) (0.6 / Math.sqrt(0.56 / 3)), within(1e-5f));
    }

    @Test
    void aConstantChannelKeepsUnitDeviation() {
        float[] values = {5, 1, 5, 2, 5, 3, 5, 4};
        Examples all = new Examples("all", InputShape.features(2), new ExampleValues.Floats(values),
                new int[] {0, 0, 1, 1});
        LabelledDataset dataset = new LabelledDataset(InputShape.features(2), TWO,
                new LabelledDataset.Splits.Given(all, all.head(1)));
        Preprocessing p = TrainingDataBuilder.build(dataset, new DatasetRef("file:/x", null, null, null, true), 0.2,
                1, 0, 0).preprocessing();
        assertThat(p.scale()).isEqualTo(1.0);
        assertThat(p.mean()).containsExactly(5.0, 2.5);
        assertThat(p.std().get(0)).isEqualTo(1.0);
        assertThat(p.std().get(1)).isCloseTo(Math.sqrt(1.25), within(1e-12));
    }

    @Test
    void anUnsplitDatasetIsHeldOutWithTheJobsFractionAndSeedThenCapped() {
        int[] labels = new int[40];
        int[] values = new int[40];
        for (int i = 0; i < 40; i++) {
            labels[i] = i % 2;
            values[i] = i;
        }
        Examples all = images("all", labels, values);
        LabelledDataset dataset = new LabelledDataset(InputShape.image(2, 1, 2), TWO,
                new LabelledDataset.Splits.Unsplit(all));

        TrainingData byDefault = TrainingDataBuilder.build(dataset, DatasetRef.of("dataset:d"), 0.25, 9, 0, 0);
        assertThat(byDefault.split()).isEqualTo(new TrainingData.SplitOrigin.HeldOut(0.25, 9));
        assertThat(byDefault.test().classCounts(2)).containsExactly(5, 5);
        assertThat(byDefault.train().size()).isEqualTo(30);

        TrainingData given = TrainingDataBuilder.build(dataset, new DatasetRef("dataset:d", null, null, 0.5, null),
                0.25, 9, 12, 4);
        assertThat(given.split()).isEqualTo(new TrainingData.SplitOrigin.HeldOut(0.5, 9));
        assertThat(given.train().size()).isEqualTo(12);
        assertThat(given.test().size()).isEqualTo(4);
        TrainingData uncapped = TrainingDataBuilder.build(dataset, new DatasetRef("dataset:d", null, null, 0.5, null),
                0.25, 9, 0, 0);
        // a seeded draw over every class, not the first twelve (files are often sorted by class)
        assertThat(given.train().labels()).isEqualTo(TrainingDataBuilder.build(dataset,
                new DatasetRef("dataset:d", null, null, 0.5, null), 0.25, 9, 12, 4).train().labels());
        assertThat(uncapped.train().size()).isEqualTo(20);
    }

    @Test
    void capsDrawFromEveryClassOfADatasetSortedByClass() {
        int[] labels = new int[40];
        int[] values = new int[40];
        for (int i = 0; i < 40; i++) {
            labels[i] = i < 20 ? 0 : 1; // a folder per class: all of class 0 first
            values[i] = i;
        }
        Examples train = images("train", labels, values);
        LabelledDataset dataset = new LabelledDataset(InputShape.image(2, 1, 2), TWO,
                new LabelledDataset.Splits.Given(train, train));

        TrainingData capped = TrainingDataBuilder.build(dataset, DatasetRef.of("dataset:d"), 0.2, 3, 10, 8);

        assertThat(capped.train().size()).isEqualTo(10);
        assertThat(capped.test().size()).isEqualTo(8);
        // the first ten would all be class 0; a seeded draw holds both, in the dataset's order
        assertThat(capped.train().classCounts(2)).doesNotContain(0L);
        assertThat(capped.test().classCounts(2)).doesNotContain(0L);
        assertThat(capped.train().labels()).isSorted();
    }

    @Test
    void aDatasetThatLeavesAPartEmptyIsRefused() {
        Examples train = images("train", new int[] {0}, 1);
        Examples empty = images("test", new int[0]);
        LabelledDataset dataset = new LabelledDataset(InputShape.image(2, 1, 2), TWO,
                new LabelledDataset.Splits.Given(train, empty));
        assertThatThrownBy(() -> TrainingDataBuilder.build(dataset, DatasetRef.of("builtin:x"), 0.2, 1, 0, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the dataset has 1 training and 0 test examples; a job needs some of each");
    }
}
