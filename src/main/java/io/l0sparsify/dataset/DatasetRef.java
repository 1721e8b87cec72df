package io.l0sparsify.dataset;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * What a job says about its data: where it is and how to read it. The contract's {@code DatasetRef}; a stored
 * job definition of an earlier release ({@code {"uri": ...}} alone) reads as a reference with every option at
 * its default.
 *
 * @param uri {@code builtin:NAME}, {@code file:/abs/path}, {@code dataset:ID}, {@code s3://bucket/key} or
 *     {@code https://host/path}
 * @param sha256 the expected SHA-256 of the file, lower-case hex: required for {@code https:}, checked when given
 *     for {@code file:} and {@code s3:} files; null when not given
 * @param format how to read a file whose name does not say it, or options a format needs (a CSV's label column);
 *     null to tell the format from the name
 * @param testFraction the part held out for testing when the dataset has no split of its own; null for the
 *     service's default ({@code l0.datasets.default-test-fraction})
 * @param standardize whether inputs are standardised per channel with the training part's mean and standard
 *     deviation (after scaling); written only when true, so definitions without it keep their canonical form
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record DatasetRef(String uri, String sha256, DatasetFormat format, Double testFraction,
        @JsonInclude(JsonInclude.Include.NON_DEFAULT) Boolean standardize) {

    /** Absent means false; never null after construction. */
    public DatasetRef {
        standardize = Boolean.TRUE.equals(standardize);
    }

    /** A reference with nothing but its location, as jobs of earlier releases stored it. */
    public static DatasetRef of(String uri) {
        return new DatasetRef(uri, null, null, null, false);
    }
}
