package io.l0sparsify.dataset;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;

/**
 * A seeded, stratified held-out split of an unsplit dataset: every class gives the same fraction of its
 * examples to the test part, {@code round(n · fraction)} of its n, but at least one where it has two or more and
 * never all of them (a class of one example stays in training). Which examples go is a shuffle of each class
 * seeded from the job's seed, so a rerun holds out the same examples; both parts keep the dataset's order.
 * Training and test parts never share an example.
 */
public final class StratifiedSplit {

    private StratifiedSplit() {}

    /**
     * The split of {@code all}, for labels in [0, classes).
     *
     * @throws IllegalArgumentException a fraction outside (0, 1), or a dataset with no class of two examples (no
     *     test part could be held out)
     */
    public static LabelledDataset.Splits.Given split(Examples all, int classes, double testFraction, long seed) {
        if (!(testFraction > 0 && testFraction < 1)) {
            throw new IllegalArgumentException("the test fraction must lie strictly between 0 and 1: " + testFraction);
        }
        List<List<Integer>> byClass = new ArrayList<>();
        for (int c = 0; c < classes; c++) {
            byClass.add(new ArrayList<>());
        }
        int[] labels = all.labels();
        for (int i = 0; i < labels.length; i++) {
            byClass.get(labels[i]).add(i);
        }
        boolean[] test = new boolean[labels.length];
        int testCount = 0;
        SplittableRandom random = new SplittableRandom(seed);
        for (List<Integer> members : byClass) {
            int n = members.size();
            int take = n < 2 ? 0 : (int) Math.min(n - 1, Math.max(1, Math.round(n * testFraction)));
            // Fisher–Yates over the class's own examples: each class draws from one seeded stream in class order
            int[] order = members.stream().mapToInt(Integer::intValue).toArray();
            for (int i = n - 1; i > 0; i--) {
                int j = random.nextInt(i + 1);
                int swap = order[i];
                order[i] = order[j];
                order[j] = swap;
            }
            for (int i = 0; i < take; i++) {
                test[order[i]] = true;
            }
            testCount += take;
        }
        if (testCount == 0) {
            throw new IllegalArgumentException(all.name() + " has no class with two or more examples, so no test"
                    + " examples can be held out");
        }
        int[] testIndices = new int[testCount];
        int[] trainIndices = new int[labels.length - testCount];
        int t = 0;
        int r = 0;
        for (int i = 0; i < labels.length; i++) {
            if (test[i]) {
                testIndices[t++] = i;
            } else {
                trainIndices[r++] = i;
            }
        }
        assert t == testIndices.length && r == trainIndices.length : Arrays.toString(new int[] {t, r});
        return new LabelledDataset.Splits.Given(all.select("train", trainIndices), all.select("test", testIndices));
    }
}
