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

    public int imageSize() {
        return imageRows * imageCols;
    }
}
