package io.l0sparsify.dataset;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.HashSet;
import java.util.Set;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class StratifiedSplitTest {

    /**
     * Example i has the single feature value i (so an example is recognised by its value) and the label given.
     */
    private static Examples examples(int... labels) {
        float[] values = new float[labels.length];
        for (int i = 0; i < labels.length; i++) {
            values[i] = i;
        }
        return new Examples("all", InputShape.features(1), new ExampleValues.Floats(values), labels);
    }

    private static Set<Integer> ids(Examples part) {
        Set<Integer> ids = new HashSet<>();
        for (float v : ((ExampleValues.Floats) part.values()).values()) {
            ids.add((int) v);
        }
        return ids;
    }

    /** 100 of class 0, 30 of class 1, 7 of class 2, 2 of class 3, 1 of class 4, interleaved. */
    private static Examples unbalanced() {
        int[] labels = new int[140];
        int i = 0;
        int[] counts = {100, 30, 7, 2, 1};
        for (int c = 0; c < counts.length; c++) {
            for (int k = 0; k < counts[c]; k++) {
                labels[i++] = c;
            }
        }
        // a fixed shuffle so classes are not in blocks
        int[] order = IntStream.range(0, 140).map(k -> (k * 37) % 140).toArray();
        int[] mixed = new int[140];
        for (int k = 0; k < 140; k++) {
            mixed[k] = labels[order[k]];
        }
        return examples(mixed);
    }

    @Test
    void partsAreDisjointAndTogetherEveryExample() {
        Examples all = unbalanced();
        LabelledDataset.Splits.Given split = StratifiedSplit.split(all, 5, 0.2, 7);
        Set<Integer> train = ids(split.train());
        Set<Integer> test = ids(split.test());
        assertThat(train).doesNotContainAnyElementsOf(test);
        Set<Integer> union = new HashSet<>(train);
        union.addAll(test);
        assertThat(union).hasSize(all.size());
        assertThat(split.train().size() + split.test().size()).isEqualTo(all.size());
        // labels travel with their examples
        for (Examples part : split.parts()) {
            float[] v = ((ExampleValues.Floats) part.values()).values();
            for (int k = 0; k < part.size(); k++) {
                assertThat(part.labels()[k]).isEqualTo(all.labels()[(int) v[k]]);
            }
        }
    }

    @Test
    void everyClassGivesTheSameFractionAndAtLeastOneWhenItHasTwo() {
        LabelledDataset.Splits.Given split = StratifiedSplit.split(unbalanced(), 5, 0.2, 7);
        // round(n · 0.2): 100 → 20, 30 → 6, 7 → 1 (1.4), 2 → 1 (0.4 raised to one), 1 → 0 (kept for training)
        assertThat(split.test().classCounts(5)).containsExactly(20, 6, 1, 1, 0);
        assertThat(split.train().classCounts(5)).containsExactly(80, 24, 6, 1, 1);
    }

    @Test
    void aClassNeverGoesWhollyToTheTestPart() {
        LabelledDataset.Splits.Given split = StratifiedSplit.split(examples(0, 0, 1, 1, 1), 2, 0.9, 1);
        // round(2 · 0.9) = 2 and round(3 · 0.9) = 3 are capped at n − 1
        assertThat(split.test().classCounts(2)).containsExactly(1, 2);
        assertThat(split.train().classCounts(2)).containsExactly(1, 1);
    }

    @Test
    void theSameSeedHoldsOutTheSameExamplesAndAnotherSeedOthers() {
        Examples all = unbalanced();
        Set<Integer> first = ids(StratifiedSplit.split(all, 5, 0.25, 42).test());
        assertThat(ids(StratifiedSplit.split(all, 5, 0.25, 42).test())).isEqualTo(first);
        assertThat(ids(StratifiedSplit.split(all, 5, 0.25, 43).test())).isNotEqualTo(first);
    }

    @Test
    void partsKeepTheDatasetsOrder() {
        LabelledDataset.Splits.Given split = StratifiedSplit.split(unbalanced(), 5, 0.3, 3);
        for (Examples part : split.parts()) {
            float[] v = ((ExampleValues.Floats) part.values()).values();
            for (int k = 1; k < v.length; k++) {
                assertThat(v[k]).isGreaterThan(v[k - 1]);
            }
        }
    }

    @Test
    void aDatasetWithNoClassOfTwoCannotBeSplit() {
        assertThatThrownBy(() -> StratifiedSplit.split(examples(0, 1, 2), 3, 0.5, 1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("all has no class with two or more examples, so no test examples can be held out");
        assertThatThrownBy(() -> StratifiedSplit.split(examples(0, 0), 1, 1.0, 1))
                .hasMessageContaining("strictly between 0 and 1");
    }
}
