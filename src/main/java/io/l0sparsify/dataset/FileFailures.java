package io.l0sparsify.dataset;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;

/**
 * Why a file could not be read, in words that name no path: the message of a {@link FileSystemException} is the
 * path itself, which may be one of the server's own (its dataset cache, a link's target, a temporary file) and
 * reaches clients as a job's error or a problem's detail.
 */
final class FileFailures {

    private FileFailures() {}

    static String reason(IOException e) {
        return switch (e) {
            case NoSuchFileException missing -> "the file does not exist";
            case AccessDeniedException denied -> "permission denied";
            case FileSystemException other -> other.getReason() != null ? other.getReason() : "a file system error";
            default -> e.getMessage() != null ? e.getMessage() : "an I/O error";
        };
    }
}
