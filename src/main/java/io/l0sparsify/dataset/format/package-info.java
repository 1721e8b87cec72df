/**
 * Readers of the formats a dataset can be uploaded in, behind one entry point,
 * {@link io.l0sparsify.dataset.format.DatasetReaders#read}. Every reader produces a
 * {@link io.l0sparsify.dataset.LabelledDataset}: examples channel-first ({@code [C, H, W]} images, {@code [F]}
 * features), kept as unsigned bytes where the source is 8-bit, as finite float32 otherwise.
 *
 * <p>Rules shared by all formats:
 *
 * <ul>
 *   <li>Archives (zip, tar, tar.gz, told by their first bytes) are read as streams, never extracted; an entry
 *       whose path is absolute or climbs out with {@code ..} refuses the whole archive; desktop archivers'
 *       {@code __MACOSX/}, {@code .DS_Store} and {@code ._*} entries are passed over.
 *   <li>Every decompressed byte counts against {@link io.l0sparsify.dataset.IngestLimits#maxExpandedBytes()} and,
 *       past the first MiB, against {@link io.l0sparsify.dataset.IngestLimits#maxExpansionRatio()} times the
 *       file's size; a header's promise (an array's shape, an IDX file's dimensions, an image's size) is
 *       checked against what is left before anything is allocated for it.
 *   <li>Numeric labels are whole numbers from 0 below {@link io.l0sparsify.dataset.IngestLimits#maxClasses()};
 *       classes are then named "0" to the largest label over all splits. Named classes (CSV string labels,
 *       image folders) are sorted by {@link java.lang.String#compareTo}; CIFAR's come from its names files.
 *   <li>Every refusal is a {@link io.l0sparsify.dataset.DatasetFormatException} whose message starts with the
 *       uploaded file's name and names the entry, array, row or column at fault.
 * </ul>
 */
package io.l0sparsify.dataset.format;
