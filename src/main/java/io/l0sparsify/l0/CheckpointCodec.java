package io.l0sparsify.l0;

/** Serializes the state inside a {@link TrainingCheckpoint}. Work in progress. */
final class CheckpointCodec {
    private CheckpointCodec() {}
}
