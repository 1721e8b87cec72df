package io.l0sparsify.dataset.format;

import io.l0sparsify.dataset.DatasetFormatException;
import io.l0sparsify.dataset.Examples;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Rules every format shares for class labels that are numbers. */
final class ClassLabels {

    private ClassLabels() {}

    /**
     * A numeric label checked as one: a whole number, at least 0, below the limit of classes.
     *
     * @param where names the label for a message ({@code y_train[17]}, {@code row 5, column 'label' (C)})
     */
    static int check(Path file, double value, int maxClasses, String where) {
        if (Double.isNaN(value) || Double.isInfinite(value) || value != Math.rint(value)) {
            throw new DatasetFormatException(file, where + " = " + value + ": a label must be a whole number");
        }
        if (value < 0) {
            throw new DatasetFormatException(file, where + " = " + (long) value
                    + ": a label must be a class index of 0 or more");
        }
        if (value >= maxClasses) {
            throw new DatasetFormatException(file, where + " = " + (long) value + ": labels are class indices 0 to "
                    + (maxClasses - 1) + " (this service allows at most " + maxClasses + " classes)");
        }
        return (int) value;
    }

    /** "0", "1", … for as many classes as the largest label of all parts needs. */
    static List<String> numbered(List<Examples> parts) {
        int classes = parts.stream().mapToInt(Examples::labelBound).max().orElse(0);
        List<String> names = new ArrayList<>(classes);
        for (int i = 0; i < classes; i++) {
            names.add(Integer.toString(i));
        }
        return names;
    }
}
