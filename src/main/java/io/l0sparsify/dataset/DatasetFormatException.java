package io.l0sparsify.dataset;

import java.nio.file.Path;

/** A dataset file that is missing, truncated or not what its name says; the message names the file. */
public final class DatasetFormatException extends RuntimeException {

    private final Path file;

    public DatasetFormatException(Path file, String message) {
        super(file.getFileName() + ": " + message);
        this.file = file;
    }

    public DatasetFormatException(Path file, String message, Throwable cause) {
        super(file.getFileName() + ": " + message, cause);
        this.file = file;
    }

    public Path file() {
        return file;
    }
}
