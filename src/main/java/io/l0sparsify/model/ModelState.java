package io.l0sparsify.model;

/**
 * The life of an uploaded model. Reading and checking happen while the upload request waits, so a stored model
 * is READY; a model that fails its checks is never stored.
 */
public enum ModelState {
    READY
}
