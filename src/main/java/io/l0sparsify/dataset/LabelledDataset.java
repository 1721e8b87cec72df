package io.l0sparsify.dataset;

import java.util.List;

/**
 * A dataset as the service keeps it once ingested, whatever format it arrived in: examples of one shape, the
 * names of their classes, and either the split the format shipped with or none (the job then holds out a
 * seeded, stratified part).
 *
 * @param shape the shape of every example, channel-first
 * @param classNames one name per class index ("0", "1", … where the format has no names)
 * @param splits the examples
 */
public record LabelledDataset(InputShape shape, List<String> classNames, Splits splits) {

    public LabelledDataset {
        classNames = List.copyOf(classNames);
        for (Examples part : splits.parts()) {
            if (!part.shape().equals(shape)) {
                throw new IllegalArgumentException(part.name() + " holds examples of shape " + part.shape()
                        + " but the dataset's shape is " + shape);
            }
            if (part.labelBound() > classNames.size()) {
                throw new IllegalArgumentException(part.name() + " has label " + (part.labelBound() - 1)
                        + " but the dataset names only " + classNames.size() + " classes");
            }
        }
    }

    /** How the examples are divided. */
    public sealed interface Splits permits Splits.Given, Splits.Unsplit {

        List<Examples> parts();

        /** The train/test split of the format itself (IDX, CIFAR, an NPZ with x_test). */
        record Given(Examples train, Examples test) implements Splits {
            @Override
            public List<Examples> parts() {
                return List.of(train, test);
            }
        }

        /** One set of examples; a job holds out its test part. */
        record Unsplit(Examples all) implements Splits {
            @Override
            public List<Examples> parts() {
                return List.of(all);
            }
        }
    }
}
