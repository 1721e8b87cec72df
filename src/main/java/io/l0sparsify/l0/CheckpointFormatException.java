package io.l0sparsify.l0;

/** Bytes that cannot be read as a {@link TrainingCheckpoint}; the message says why (including an unknown version). */
public final class CheckpointFormatException extends IllegalArgumentException {

    CheckpointFormatException(String message) {
        super(message);
    }

    CheckpointFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
