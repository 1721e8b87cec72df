package io.l0sparsify.model;

import java.util.List;

/** The upload is not a model the service supports; every problem found is listed. Nothing was stored. */
public class ModelRejectedException extends RuntimeException {

    private final List<ModelProblem> problems;

    public ModelRejectedException(List<ModelProblem> problems) {
        super(summary(problems));
        this.problems = List.copyOf(problems);
    }

    ModelRejectedException(ModelProblem problem) {
        this(List.of(problem));
    }

    public List<ModelProblem> problems() {
        return problems;
    }

    private static String summary(List<ModelProblem> problems) {
        if (problems.size() == 1) {
            return problems.get(0).describe();
        }
        return problems.size() + " problems; first: " + problems.get(0).describe();
    }
}
