package io.l0sparsify.dataset;

import java.util.OptionalInt;

/**
 * What is known of a dataset when a job is submitted, without reading its examples: enough to refuse a model
 * that cannot take it. Only some sources can say it cheaply (an IDX header, an uploaded dataset's record); for
 * files still to be fetched the worker checks after reading.
 *
 * @param shape the shape of one example
 * @param classes the number of classes, when known
 * @param hasOwnSplit whether the dataset ships its own test split
 */
public record DatasetPreview(InputShape shape, OptionalInt classes, boolean hasOwnSplit) {}
