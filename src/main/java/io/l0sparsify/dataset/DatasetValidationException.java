package io.l0sparsify.dataset;

import io.l0sparsify.job.FieldError;
import java.util.List;

/** Upload metadata that cannot be accepted; carries every problem found, each naming its field. */
public final class DatasetValidationException extends RuntimeException {

    private final List<FieldError> errors;

    public DatasetValidationException(List<FieldError> errors) {
        super(errors.isEmpty() ? "invalid upload" : errors.get(0).field() + ": " + errors.get(0).message());
        this.errors = List.copyOf(errors);
    }

    public List<FieldError> errors() {
        return errors;
    }
}
