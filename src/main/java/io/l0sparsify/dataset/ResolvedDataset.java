package io.l0sparsify.dataset;

import java.nio.file.Path;

/**
 * A dataset URI checked against the configured locations.
 *
 * @param uri as the user gave it
 * @param dir the real directory holding the four IDX files
 * @param imageRows height of its images
 * @param imageCols width of its images
 */
public record ResolvedDataset(String uri, Path dir, int imageRows, int imageCols) {

    /** A header that claims no rows, negative ones or more values than an image can hold is refused at submit. */
    public ResolvedDataset {
        if (imageRows < 1 || imageCols < 1 || (long) imageRows * imageCols > Integer.MAX_VALUE) {
            throw new DatasetReferenceException("its training images file claims images of " + imageRows + "x"
                    + imageCols + " pixels; an IDX image file needs positive rows and columns");
        }
    }

    public int imageSize() {
        return imageRows * imageCols;
    }
}
