package io.l0sparsify.job;

import java.util.List;
import tools.jackson.core.JacksonException;

/** The field notation of {@link FieldError}: {@code model.layers[2].units}, {@code training.lambda[1]}; "" is the body. */
final class FieldPaths {

    private FieldPaths() {}

    /** Appends a member name to a path. */
    static String member(String path, String name) {
        return path.isEmpty() ? name : path + "." + name;
    }

    /** Appends an array index to a path. */
    static String index(String path, int index) {
        return path + "[" + index + "]";
    }

    /** The path of a binding failure. */
    static String of(List<JacksonException.Reference> references) {
        String path = "";
        for (JacksonException.Reference reference : references) {
            path = reference.getPropertyName() != null ? member(path, reference.getPropertyName())
                    : index(path, reference.getIndex());
        }
        return path;
    }

    /** Turns the core's "field: message" into a field error under {@code prefix} ({@code "training."}). */
    static FieldError fromPrefixedMessage(String prefix, String message) {
        int colon = message == null ? -1 : message.indexOf(": ");
        if (colon > 0 && !message.substring(0, colon).contains(" ")) {
            return new FieldError(prefix + message.substring(0, colon), message.substring(colon + 2));
        }
        return new FieldError(prefix.substring(0, prefix.length() - 1), String.valueOf(message));
    }
}
