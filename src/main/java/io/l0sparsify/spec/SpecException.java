package io.l0sparsify.spec;

/**
 * A spec that cannot be built. {@link #field()} is a JSON-pointer-like path into the spec
 * ({@code layers[3].kernel}, {@code inputShape}) so an API can name the offending field.
 */
public final class SpecException extends IllegalArgumentException {

    private final String field;

    public SpecException(String field, String message) {
        super(field + ": " + message);
        this.field = field;
    }

    public String field() {
        return field;
    }

    /** The message without the field prefix. */
    public String reason() {
        String message = getMessage();
        return message.substring(field.length() + 2);
    }
}
