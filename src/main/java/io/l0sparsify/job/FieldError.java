package io.l0sparsify.job;

/** One rejected part of a request: a path into the JSON body ({@code model.layers[2].units}) and why. */
public record FieldError(String field, String message) {}
