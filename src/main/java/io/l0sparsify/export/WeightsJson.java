package io.l0sparsify.export;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import io.l0sparsify.prune.PrunedLayer;
import io.l0sparsify.prune.PrunedNetwork;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonToken;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.exc.InputCoercionException;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.exc.MismatchedInputException;
import tools.jackson.databind.json.JsonMapper;

/**
 * The pruned network as plain JSON data (weights.json), enough to rebuild the network with only a JSON
 * parser and numpy. The format is documented in {@code openapi.yaml} (schema
 * {@code WeightsFile}).
 *
 * <p>Floats are written in a decimal form that reads back as the identical float32, whether parsed as
 * float32 directly or as a double rounded to float32 (Python's json with numpy), so {@code read(write(n))}
 * reproduces every weight bit for bit.
 */
public final class WeightsJson {

    /**
     * 2: preprocessing became an object with the run's scale, mean and std, and classNames were added. 3: layer
     * types batchnorm, globalavgpool and residual (with a nested body and shortcut), which a version-2 reader would
     * not know. 4: layer type avgpool, a maxpool's padding and a conv2d's dilation, which a version-3 reader would
     * ignore and so misread. Version-2 and version-3 documents are valid version-4 ones (no padding, no dilation)
     * and are still read.
     */
    public static final int FORMAT_VERSION = 4;
    private static final int FORMAT_VERSION_WITHOUT_RESIDUALS = 2;
    private static final int FORMAT_VERSION_WITHOUT_AVERAGE_POOLING = 3;

    /**
     * Number coercions are off: a weight written as a string or an index written as 1.5 is malformed,
     * not silently converted. Unknown fields are ignored so that additive fields need no new version.
     */
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .disable(MapperFeature.ALLOW_COERCION_OF_SCALARS)
            .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
            .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private WeightsJson() {}

    /**
     * The network as UTF-8 JSON, with the preprocessing its input needs and the names of its classes.
     *
     * @throws IllegalArgumentException if the network is inconsistent or the conventions do not fit it (the
     *     message names the field)
     */
    public static byte[] write(PrunedNetwork network, DataConventions conventions) {
        NetworkValidator.validate(network);
        conventions.checkFits(network.inputShape(), network.numClasses());
        List<LayerEntry> layers = new ArrayList<>();
        for (PrunedLayer layer : network.layers()) {
            layers.add(LayerEntry.of(layer));
        }
        WeightsFile file = new WeightsFile(FORMAT_VERSION, network.inputShape(), conventions.preprocessingJson(),
                conventions.classNames(), network.numClasses(), network.architecture(), layers);
        return MAPPER.writeValueAsBytes(file);
    }

    /**
     * The preprocessing and class names a weights.json document records.
     *
     * @throws IllegalArgumentException as {@link #read} does, or when the preprocessing is invalid
     */
    public static DataConventions readConventions(byte[] json) {
        WeightsFile file = parse(json);
        PrunedNetwork network = file.toNetwork();
        DataConventions conventions;
        try {
            conventions = new DataConventions(file.preprocessing().toPreprocessing(), file.classNames());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("preprocessing: " + e.getMessage(), e);
        }
        conventions.checkFits(network.inputShape(), network.numClasses());
        return conventions;
    }

    /**
     * Parses and checks a weights.json document.
     *
     * @throws IllegalArgumentException for malformed JSON, an unknown {@code formatVersion}, a missing field,
     *     a wrong array length or an inconsistent network; the message names the field, e.g.
     *     {@code layers[2].weight: expected 1200 values ...}
     */
    public static PrunedNetwork read(byte[] json) {
        return parse(json).toNetwork();
    }

    private static WeightsFile parse(byte[] json) {
        WeightsFile file;
        try {
            file = MAPPER.readValue(json, WeightsFile.class);
        } catch (InputCoercionException e) {
            throw new IllegalArgumentException(path(e) + ": " + e.getOriginalMessage(), e);
        } catch (StreamReadException e) {
            throw new IllegalArgumentException("weights.json is not valid JSON" + where(e.getLocation()) + ": "
                    + withoutHints(e.getOriginalMessage()), e);
        } catch (MismatchedInputException e) {
            throw new IllegalArgumentException(path(e) + ": expected " + describe(e.getTargetType()) + ", found "
                    + describe(e.getCurrentToken()), e);
        } catch (JacksonException e) {
            throw new IllegalArgumentException(path(e) + ": " + withoutHints(e.getOriginalMessage()), e);
        }
        if (file == null) {
            throw new IllegalArgumentException("weights.json: expected an object, found null");
        }
        return file;
    }

    /** weights.json as a whole. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"formatVersion", "inputShape", "preprocessing", "classNames", "numClasses", "architecture",
        "layers"})
    record WeightsFile(Integer formatVersion, List<Integer> inputShape, DataConventions.PreprocessingJson preprocessing,
            List<String> classNames, Integer numClasses, String architecture, List<LayerEntry> layers) {

        PrunedNetwork toNetwork() {
            require(formatVersion, "formatVersion");
            if (formatVersion != FORMAT_VERSION && formatVersion != FORMAT_VERSION_WITHOUT_AVERAGE_POOLING
                    && formatVersion != FORMAT_VERSION_WITHOUT_RESIDUALS) {
                throw new IllegalArgumentException("formatVersion: unsupported version " + formatVersion
                        + "; this reader knows versions " + FORMAT_VERSION_WITHOUT_RESIDUALS + " to "
                        + FORMAT_VERSION);
            }
            require(inputShape, "inputShape");
            if (inputShape.contains(null)) {
                throw new IllegalArgumentException("inputShape: null dimension in " + inputShape);
            }
            require(preprocessing, "preprocessing");
            require(preprocessing.mean(), "preprocessing.mean");
            require(preprocessing.std(), "preprocessing.std");
            require(classNames, "classNames");
            require(numClasses, "numClasses");
            require(layers, "layers");
            List<PrunedLayer> pruned = new ArrayList<>();
            for (int i = 0; i < layers.size(); i++) {
                LayerEntry entry = layers.get(i);
                if (entry == null) {
                    throw new IllegalArgumentException("layers[" + i + "]: null layer");
                }
                pruned.add(entry.toLayer("layers[" + i + "]"));
            }
            PrunedNetwork network = new PrunedNetwork(inputShape, pruned, numClasses);
            NetworkValidator.validate(network);
            if (architecture != null && !architecture.equals(network.architecture())) {
                throw new IllegalArgumentException("architecture: '" + architecture
                        + "' does not match the layers, which give '" + network.architecture() + "'");
            }
            return network;
        }
    }

    /**
     * One layer; which fields are present depends on {@code type}. For dense and conv2d layers
     * {@code originalUnits}/{@code keptIndices} are output units (filters) and {@code originalInputs}/
     * {@code keptInputs} are inputs (input channels), all indices into the unpruned layer. For batchnorm they are
     * its channels, {@code weight} and {@code bias} its γ and β (PyTorch's names). A residual layer holds its
     * {@code body} and, for a projection shortcut, the {@code shortcut} conv2d. A conv2d without {@code dilation}
     * and a maxpool without {@code padding} (versions 2 and 3) have dilation 1 and padding 0.
     */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    @JsonPropertyOrder({"name", "type", "kernel", "stride", "padding", "dilation", "size", "countIncludePad",
        "gated", "originalInputs",
        "keptInputs", "gather", "originalUnits", "keptUnits", "keptIndices", "weightShape", "weight", "bias",
        "runningMean", "runningVar", "epsilon", "body", "shortcut"})
    record LayerEntry(String name, String type, Integer kernel, Integer stride, Integer padding, Integer dilation,
            Integer size, Boolean countIncludePad, Boolean gated, Integer originalInputs, int[] keptInputs,
            int[] gather, Integer originalUnits, Integer keptUnits, int[] keptIndices, int[] weightShape,
            float[] weight, float[] bias, float[] runningMean, float[] runningVar, Float epsilon,
            List<LayerEntry> body, LayerEntry shortcut) {

        static LayerEntry of(PrunedLayer layer) {
            return switch (layer) {
                case PrunedLayer.Dense d -> new LayerEntry(d.name(), d.type(), null, null, null, null, null, null,
                        d.gated(), d.originalInputs(), d.keptInputs(), d.gather(), d.originalUnits(), d.units(),
                        d.keptUnits(), new int[] {d.units(), d.inputs()}, d.weight(), d.bias(), null, null, null,
                        null, null);
                case PrunedLayer.Conv2d c -> new LayerEntry(c.name(), c.type(), c.kernel(), c.stride(), c.padding(),
                        c.dilation(), null, null, c.gated(), c.originalInChannels(), c.keptInChannels(), null,
                        c.originalFilters(), c.filters(), c.keptFilters(),
                        new int[] {c.filters(), c.inChannels(), c.kernel(), c.kernel()},
                        c.weight(), c.bias(), null, null, null, null, null);
                case PrunedLayer.MaxPool m -> new LayerEntry(m.name(), m.type(), null, m.stride(), m.padding(), null,
                        m.size(), null, null, null, null, null, null, null, null, null, null, null, null, null, null,
                        null, null);
                case PrunedLayer.AvgPool a -> new LayerEntry(a.name(), a.type(), null, a.stride(), a.padding(), null,
                        a.size(), a.countIncludePad(), null, null, null, null, null, null, null, null, null, null,
                        null, null, null, null, null);
                case PrunedLayer.BatchNorm b -> new LayerEntry(b.name(), b.type(), null, null, null, null, null, null,
                        null, null, null, null, b.originalChannels(), b.channels(), b.keptChannels(), null, b.gamma(),
                        b.beta(), b.runningMean(), b.runningVar(), b.eps(), null, null);
                case PrunedLayer.Residual r -> new LayerEntry(r.name(), r.type(), null, null, null, null, null, null,
                        null, null, null, null, null, null, null, null, null, null, null, null, null,
                        r.body().stream().map(LayerEntry::of).toList(),
                        r.projection() == null ? null : of(r.projection()));
                case PrunedLayer.Relu l -> of(l.name(), l.type());
                case PrunedLayer.Flatten l -> of(l.name(), l.type());
                case PrunedLayer.GlobalAvgPool l -> of(l.name(), l.type());
            };
        }

        private static LayerEntry of(String name, String type) {
            return new LayerEntry(name, type, null, null, null, null, null, null, null, null, null, null, null, null,
                    null, null, null, null, null, null, null, null, null);
        }

        PrunedLayer toLayer(String at) {
            require(name, at + ".name");
            require(type, at + ".type");
            switch (type) {
                case "dense" -> {
                    requireAll(at, "gated", gated, "originalInputs", originalInputs, "keptInputs", keptInputs,
                            "originalUnits", originalUnits, "keptUnits", keptUnits, "keptIndices", keptIndices,
                            "weightShape", weightShape, "weight", weight, "bias", bias);
                    requireCount(at, keptIndices);
                    requireWeightShape(at, keptUnits, keptInputs.length);
                    return new PrunedLayer.Dense(name, gated, originalInputs, originalUnits, keptInputs,
                            keptIndices, gather, weight, bias);
                }
                case "conv2d" -> {
                    return conv(at);
                }
                case "maxpool" -> {
                    requireAll(at, "size", size, "stride", stride);
                    return new PrunedLayer.MaxPool(name, size, stride, padding == null ? 0 : padding);
                }
                case "avgpool" -> {
                    requireAll(at, "size", size, "stride", stride, "padding", padding, "countIncludePad",
                            countIncludePad);
                    return new PrunedLayer.AvgPool(name, size, stride, padding, countIncludePad);
                }
                case "relu" -> {
                    return new PrunedLayer.Relu(name);
                }
                case "flatten" -> {
                    return new PrunedLayer.Flatten(name);
                }
                case "batchnorm" -> {
                    requireAll(at, "originalUnits", originalUnits, "keptUnits", keptUnits, "keptIndices",
                            keptIndices, "weight", weight, "bias", bias, "runningMean", runningMean, "runningVar",
                            runningVar, "epsilon", epsilon);
                    requireCount(at, keptIndices);
                    return new PrunedLayer.BatchNorm(name, originalUnits, keptIndices, weight, bias, runningMean,
                            runningVar, epsilon);
                }
                case "globalavgpool" -> {
                    return new PrunedLayer.GlobalAvgPool(name);
                }
                case "residual" -> {
                    require(body, at + ".body");
                    List<PrunedLayer> layers = new ArrayList<>();
                    for (int i = 0; i < body.size(); i++) {
                        LayerEntry entry = body.get(i);
                        if (entry == null) {
                            throw new IllegalArgumentException(at + ".body[" + i + "]: null layer");
                        }
                        layers.add(entry.toLayer(at + ".body[" + i + "]"));
                    }
                    PrunedLayer.Conv2d projection = null;
                    if (shortcut != null) {
                        if (!"conv2d".equals(shortcut.type())) {
                            throw new IllegalArgumentException(at + ".shortcut.type: a projection shortcut is a"
                                    + " conv2d, found '" + shortcut.type() + "'");
                        }
                        require(shortcut.name(), at + ".shortcut.name");
                        projection = shortcut.conv(at + ".shortcut");
                    }
                    return new PrunedLayer.Residual(name, layers, projection);
                }
                default -> throw new IllegalArgumentException(at + ".type: unknown layer type '" + type
                        + "'; expected dense, conv2d, maxpool, avgpool, relu, flatten, batchnorm, globalavgpool or"
                        + " residual");
            }
        }

        private PrunedLayer.Conv2d conv(String at) {
            requireAll(at, "gated", gated, "kernel", kernel, "stride", stride, "padding", padding,
                    "originalInputs", originalInputs, "keptInputs", keptInputs, "originalUnits",
                    originalUnits, "keptUnits", keptUnits, "keptIndices", keptIndices, "weightShape",
                    weightShape, "weight", weight, "bias", bias);
            requireCount(at, keptIndices);
            requireWeightShape(at, keptUnits, keptInputs.length, kernel, kernel);
            return new PrunedLayer.Conv2d(name, gated, originalUnits, originalInputs, keptIndices,
                    keptInputs, kernel, stride, padding, dilation == null ? 1 : dilation, weight, bias);
        }

        private void requireCount(String at, int[] indices) {
            if (keptUnits != indices.length) {
                throw new IllegalArgumentException(at + ".keptUnits: " + keptUnits + " but keptIndices holds "
                        + indices.length + " indices");
            }
        }

        private void requireWeightShape(String at, int... expected) {
            if (!Arrays.equals(weightShape, expected)) {
                throw new IllegalArgumentException(at + ".weightShape: expected " + Arrays.toString(expected)
                        + " from keptUnits, keptInputs and kernel, found " + Arrays.toString(weightShape));
            }
        }

        /** Pairs of field name and value. */
        private static void requireAll(String at, Object... namesAndValues) {
            for (int i = 0; i < namesAndValues.length; i += 2) {
                require(namesAndValues[i + 1], at + "." + namesAndValues[i]);
            }
        }
    }

    private static void require(Object value, String field) {
        if (value == null) {
            throw new IllegalArgumentException(field + ": missing");
        }
    }

    /** The JSON path of a binding error, e.g. {@code layers[2].weight[17]}. */
    private static String path(JacksonException e) {
        StringBuilder path = new StringBuilder();
        for (JacksonException.Reference ref : e.getPath()) {
            if (ref.getPropertyName() != null) {
                if (path.length() > 0) {
                    path.append('.');
                }
                path.append(ref.getPropertyName());
            } else if (ref.getIndex() >= 0) {
                path.append('[').append(ref.getIndex()).append(']');
            }
        }
        return path.length() == 0 ? "weights.json" : path.toString();
    }

    /** Jackson's messages end in hints about its own configuration, which mean nothing to a user. */
    private static String withoutHints(String message) {
        int hint = message.indexOf(" (");
        return hint < 0 ? message : message.substring(0, hint);
    }

    private static String describe(Class<?> target) {
        if (target == null) {
            return "another value";
        } else if (target == float.class || target == float[].class || target == Float.class) {
            return "a number";
        } else if (target == int.class || target == int[].class || target == Integer.class) {
            return "an integer";
        } else if (target == boolean.class || target == Boolean.class) {
            return "true or false";
        } else if (target == String.class) {
            return "a string";
        } else if (List.class.isAssignableFrom(target)) {
            return "an array";
        }
        return "an object";
    }

    private static String describe(JsonToken token) {
        if (token == null) {
            return "the end of the document";
        }
        switch (token) {
            case START_ARRAY: return "an array";
            case START_OBJECT: return "an object";
            case VALUE_STRING: return "a string";
            case VALUE_NUMBER_INT: return "an integer";
            case VALUE_NUMBER_FLOAT: return "a fractional number";
            case VALUE_TRUE:
            case VALUE_FALSE: return "a boolean";
            case VALUE_NULL: return "null";
            default: return token.name();
        }
    }

    private static String where(TokenStreamLocation location) {
        return location == null ? "" : " at line " + location.getLineNr() + ", column " + location.getColumnNr();
    }
}
