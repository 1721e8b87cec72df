package io.l0sparsify.job;

import java.util.List;

/** A job definition that cannot be accepted; carries every problem found, each naming its field. */
public final class JobValidationException extends RuntimeException {

    private final List<FieldError> errors;

    public JobValidationException(List<FieldError> errors) {
        super(errors.isEmpty() ? "invalid job" : errors.get(0).field() + ": " + errors.get(0).message()
                + (errors.size() > 1 ? " (and " + (errors.size() - 1) + " more)" : ""));
        this.errors = List.copyOf(errors);
    }

    public JobValidationException(String field, String message) {
        this(List.of(new FieldError(field, message)));
    }

    public List<FieldError> errors() {
        return errors;
    }
}
