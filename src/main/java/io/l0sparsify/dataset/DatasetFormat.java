package io.l0sparsify.dataset;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import java.util.Arrays;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * The formats a dataset can arrive in, each with the options it needs. Closed: ingestion switches over the
 * kinds without a {@code default}. In JSON a format is an object whose {@code format} names its kind; the tags
 * are declared here, once.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, include = JsonTypeInfo.As.PROPERTY, property = "format")
@JsonSubTypes({
        @JsonSubTypes.Type(value = DatasetFormat.Npz.class, name = "npz"),
        @JsonSubTypes.Type(value = DatasetFormat.Npy.class, name = "npy"),
        @JsonSubTypes.Type(value = DatasetFormat.Csv.class, name = "csv"),
        @JsonSubTypes.Type(value = DatasetFormat.Idx.class, name = "idx"),
        @JsonSubTypes.Type(value = DatasetFormat.Cifar.class, name = "cifar"),
        @JsonSubTypes.Type(value = DatasetFormat.ImageFolder.class, name = "image-folder")})
public sealed interface DatasetFormat permits DatasetFormat.Npz, DatasetFormat.Npy, DatasetFormat.Csv,
        DatasetFormat.Idx, DatasetFormat.Cifar, DatasetFormat.ImageFolder {

    /** How a rank-4 image array is laid out. */
    enum Layout {
        /** {@code [N, H, W, C]}, as numpy and Keras keep images; the default. */
        NHWC,
        /** {@code [N, C, H, W]}, as PyTorch keeps them. */
        NCHW
    }

    /** Colour of images after decoding. */
    enum Colour {
        RGB,
        GRAYSCALE
    }

    /**
     * numpy's {@code .npz} ({@code np.savez}/{@code savez_compressed}): arrays {@code x_train, y_train, x_test,
     * y_test}, or {@code x, y} (split by the job).
     *
     * @param layout of rank-4 image arrays; null means {@link Layout#NHWC}
     */
    record Npz(Layout layout) implements DatasetFormat {}

    /** {@code .npy} files named as in {@link Npz} ({@code x_train.npy}, …), in a zip or tar.gz. */
    record Npy(Layout layout) implements DatasetFormat {}

    /**
     * A CSV table with a header row: numeric feature columns and one label column.
     *
     * @param labelColumn the header of the label column (numbers or strings; string classes keep their names)
     */
    record Csv(String labelColumn) implements DatasetFormat {}

    /** The four MNIST-layout IDX files, gzipped or not, in a zip or tar.gz. */
    record Idx() implements DatasetFormat {}

    /**
     * CIFAR-10 or CIFAR-100 binary version as distributed (the .tar.gz, or its .bin files in a zip or tar).
     *
     * @param labels for CIFAR-100: {@code fine} (100 classes, the default) or {@code coarse} (20); ignored for
     *     CIFAR-10
     */
    record Cifar(String labels) implements DatasetFormat {}

    /**
     * A zip of one folder per class holding PNG or JPEG files.
     *
     * @param height every image is resized to this height
     * @param width and this width
     * @param colour RGB (3 channels) or GRAYSCALE (1)
     */
    record ImageFolder(int height, int width, Colour colour) implements DatasetFormat {}

    /** The type tag used in JSON and messages: the name declared for this kind in {@link JsonSubTypes}. */
    default String name() {
        return TypeTags.BY_KIND.get(getClass());
    }

    /** The tags of {@link JsonSubTypes} by kind, read once. */
    final class TypeTags {
        private static final Map<Class<?>, String> BY_KIND = Arrays.stream(
                        DatasetFormat.class.getAnnotation(JsonSubTypes.class).value())
                .collect(Collectors.toUnmodifiableMap(JsonSubTypes.Type::value, JsonSubTypes.Type::name));

        private TypeTags() {}
    }
}
