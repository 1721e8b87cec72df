package io.l0sparsify.l0;

/**
 * The state of a run at an epoch end, enough for {@link L0Trainer} to resume it: parameters, their moving
 * average and the step count. Randomness is derived from (seed, epoch), so no generator state is needed.
 * Adam's moment estimates are not part of it (DJL keeps them private); a resumed run restarts them, which
 * costs a few hundred steps of warm-up.
 *
 * @param epochsCompleted epochs finished when the checkpoint was taken
 * @param step optimizer steps done
 * @param state the serialized parameters and averages (see {@link CheckpointCodec}); opaque to callers
 */
public record TrainingCheckpoint(int epochsCompleted, long step, byte[] state) {}
