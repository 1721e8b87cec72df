/**
 * Uploaded models: ONNX files read by {@link io.l0sparsify.model.OnnxModelReader} into an immutable
 * {@link io.l0sparsify.model.ModelGraph} (typed layers in topological order, with inferred per-example shapes,
 * their weights, parameters, FLOPs and candidate gate groups), or refused with every problem named
 * ({@link io.l0sparsify.model.ModelRejectedException}); and the resource that keeps a checked model
 * ({@link io.l0sparsify.model.ModelService}, {@link io.l0sparsify.model.ModelStore}). No HTTP here: the API is in
 * {@code api.ModelController}; no DJL either: importing a graph into training builds on {@code ModelGraph}.
 */
package io.l0sparsify.model;
