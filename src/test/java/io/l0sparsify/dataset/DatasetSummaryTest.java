package io.l0sparsify.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import org.junit.jupiter.api.Test;

class DatasetSummaryTest {

    @Test
    void statisticsArePerChannelOfChannelFirstImagesScaledAndOverTheTrainingSplitOnly() {
        InputShape shape = InputShape.image(3, 1, 2);
        // two RGB images of 1×2 pixels, channel-first: [R0 R1 G0 G1 B0 B1]
        byte[] train = {0, (byte) 255, 51, 51, (byte) 255, (byte) 255,
                        (byte) 255, (byte) 255, 102, 0, 0, 0};
        byte[] test = {7, 7, 7, 7, 7, 7};
        LabelledDataset dataset = new LabelledDataset(shape, List.of("a", "b", "c"), new LabelledDataset.Splits.Given(
                new Examples("train", shape, new ExampleValues.UnsignedBytes(train), new int[] {0, 2}),
                new Examples("test", shape, new ExampleValues.UnsignedBytes(test), new int[] {2})));
        DatasetSummary summary = DatasetSummary.of(dataset);
        // R: 0, 1, 1, 1 → mean 0.75, std √((0.5625 + 3·0.0625)/4) = √0.1875 = 0.4330127…
        // G: 0.2, 0.2, 0.4, 0 → mean 0.2, std √((0 + 0 + 0.04 + 0.04)/4) = √0.02 = 0.1414213…
        // B: 1, 1, 0, 0 → mean 0.5, std 0.5
        assertThat(summary.statistics().over()).isEqualTo("train");
        assertThat(summary.statistics().mean().get(0)).isCloseTo(0.75, within(1e-12));
        assertThat(summary.statistics().mean().get(1)).isCloseTo(0.2, within(1e-12));
        assertThat(summary.statistics().mean().get(2)).isCloseTo(0.5, within(1e-12));
        assertThat(summary.statistics().std().get(0)).isCloseTo(0.4330127, within(1e-7));
        assertThat(summary.statistics().std().get(1)).isCloseTo(0.1414213, within(1e-7));
        assertThat(summary.statistics().std().get(2)).isCloseTo(0.5, within(1e-12));
        assertThat(summary.splits()).containsExactly(new DatasetSummary.Split("train", 2),
                new DatasetSummary.Split("test", 1));
        assertThat(summary.inputShape()).containsExactly(3, 1, 2);
        assertThat(summary.classes()).extracting(c -> c.counts().get("train")).containsExactly(1L, 0L, 1L);
        assertThat(summary.classes()).extracting(c -> c.counts().get("test")).containsExactly(0L, 0L, 1L);
        assertThat(summary.classNames()).containsExactly("a", "b", "c");
    }

    @Test
    void largeFloatFeaturesKeepAnExactStandardDeviation() {
        InputShape shape = InputShape.features(1);
        // a large offset would cancel catastrophically in sum-of-squares; two passes keep std = 1
        float[] values = {1e6f - 1, 1e6f + 1, 1e6f - 1, 1e6f + 1};
        LabelledDataset dataset = new LabelledDataset(shape, List.of("0", "1"), new LabelledDataset.Splits.Unsplit(
                new Examples("all", shape, new ExampleValues.Floats(values), new int[] {0, 1, 0, 1})));
        DatasetSummary summary = DatasetSummary.of(dataset);
        assertThat(summary.statistics().over()).isEqualTo("all");
        assertThat(summary.statistics().mean().get(0)).isEqualTo(1e6);
        assertThat(summary.statistics().std().get(0)).isEqualTo(1.0);
        assertThat(summary.dtype()).isEqualTo("float32");
    }
}
