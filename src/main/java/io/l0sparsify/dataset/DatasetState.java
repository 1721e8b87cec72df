package io.l0sparsify.dataset;

/** The life of an uploaded dataset: checked and converted while INGESTING, then usable or refused. */
public enum DatasetState {
    INGESTING,
    READY,
    FAILED
}
