package io.l0sparsify.dataset;

import io.l0sparsify.job.FieldError;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import tools.jackson.databind.JsonNode;

/**
 * The checks of an upload's metadata ({@code {"name": ..., "format": {"format": "npz", ...}}}), written once for
 * both ways of uploading: the multipart {@code metadata} part, and the query parameters of a binary body (read
 * into the same shape). Every problem is reported, each naming its field; nothing is stored before they pass.
 */
public final class DatasetUploadRules {

    /** The longest name. */
    public static final int MAX_NAME = 200;
    /** The longest CSV label column header. */
    public static final int MAX_COLUMN = 256;
    /** The largest height or width images are resized to. */
    public static final int MAX_IMAGE_SIDE = 1024;

    /** Printable text: no control characters, no lone surrogates. */
    private static final Pattern PRINTABLE = Pattern.compile("[^\\p{Cntrl}\\p{Cs}]+");

    /** The options each kind takes besides {@code format}, in the contract's names. */
    private static final Map<String, List<String>> OPTIONS = Map.of(
            "npz", List.of("layout"),
            "npy", List.of("layout"),
            "csv", List.of("labelColumn"),
            "idx", List.of(),
            "cifar", List.of("labels"),
            "image-folder", List.of("height", "width", "colour"));

    /** The kinds in the order the contract lists them. */
    public static final List<String> KINDS = List.of("npz", "npy", "csv", "idx", "cifar", "image-folder");

    private DatasetUploadRules() {}

    /**
     * The checked upload, or {@link DatasetValidationException} listing every problem; fields are named by their
     * JSON path ({@code name}, {@code format.labelColumn}).
     */
    public static DatasetUpload check(JsonNode metadata) {
        List<FieldError> errors = new ArrayList<>();
        if (metadata == null || !metadata.isObject()) {
            throw new DatasetValidationException(List.of(new FieldError("metadata",
                    "must be a JSON object with name and format")));
        }
        unknownFields(metadata, Set.of("name", "format"), "", errors);
        String name = name(metadata.get("name"), errors);
        DatasetFormat format = format(metadata.get("format"), errors);
        if (!errors.isEmpty()) {
            throw new DatasetValidationException(errors);
        }
        return new DatasetUpload(name, format);
    }

    private static String name(JsonNode node, List<FieldError> errors) {
        if (node == null || node.isNull()) {
            errors.add(new FieldError("name", "is required"));
            return null;
        }
        if (!node.isString()) {
            errors.add(new FieldError("name", "must be a string"));
            return null;
        }
        String name = node.asString();
        if (name.isBlank() || name.length() > MAX_NAME || !PRINTABLE.matcher(name).matches()) {
            errors.add(new FieldError("name", "must be 1 to " + MAX_NAME
                    + " printable characters, not all blanks"));
            return null;
        }
        return name;
    }

    private static DatasetFormat format(JsonNode node, List<FieldError> errors) {
        if (node == null || node.isNull()) {
            errors.add(new FieldError("format", "is required: an object such as {\"format\": \"npz\"}"));
            return null;
        }
        if (!node.isObject()) {
            errors.add(new FieldError("format", "must be an object such as {\"format\": \"npz\"}"));
            return null;
        }
        JsonNode kindNode = node.get("format");
        if (kindNode == null || !kindNode.isString() || !OPTIONS.containsKey(kindNode.asString())) {
            errors.add(new FieldError("format.format", "must be one of " + String.join(", ", KINDS)
                    + (kindNode == null ? " but is missing" : " but is " + kindNode)));
            return null;
        }
        String kind = kindNode.asString();
        Set<String> known = new LinkedHashSet<>(OPTIONS.get(kind));
        known.add("format");
        int before = errors.size();
        unknownFields(node, known, "format.", errors);
        DatasetFormat format = switch (kind) {
            case "npz" -> new DatasetFormat.Npz(layout(node, errors));
            case "npy" -> new DatasetFormat.Npy(layout(node, errors));
            case "csv" -> new DatasetFormat.Csv(labelColumn(node, errors));
            case "idx" -> new DatasetFormat.Idx();
            case "cifar" -> new DatasetFormat.Cifar(cifarLabels(node, errors));
            case "image-folder" -> new DatasetFormat.ImageFolder(side(node, "height", errors),
                    side(node, "width", errors), colour(node, errors));
            default -> throw new IllegalStateException("kind " + kind + " has options but no reading");
        };
        return errors.size() == before ? format : null;
    }

    private static DatasetFormat.Layout layout(JsonNode format, List<FieldError> errors) {
        String value = optionalText(format, "layout", errors);
        if (value == null) {
            return DatasetFormat.Layout.NHWC;
        }
        try {
            return DatasetFormat.Layout.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            errors.add(new FieldError("format.layout", "must be NHWC or NCHW but is '" + value + "'"));
            return null;
        }
    }

    private static String labelColumn(JsonNode format, List<FieldError> errors) {
        JsonNode node = format.get("labelColumn");
        if (node == null || node.isNull()) {
            errors.add(new FieldError("format.labelColumn", "is required for csv: the header of the label column"));
            return null;
        }
        String value = node.isString() ? node.asString() : null;
        if (value == null || value.isEmpty() || value.length() > MAX_COLUMN || !PRINTABLE.matcher(value).matches()) {
            errors.add(new FieldError("format.labelColumn", "must be a column header of 1 to " + MAX_COLUMN
                    + " printable characters"));
            return null;
        }
        return value;
    }

    private static String cifarLabels(JsonNode format, List<FieldError> errors) {
        String value = optionalText(format, "labels", errors);
        if (value == null) {
            return "fine";
        }
        if (!value.equals("fine") && !value.equals("coarse")) {
            errors.add(new FieldError("format.labels", "must be fine or coarse but is '" + value + "'"));
            return null;
        }
        return value;
    }

    private static int side(JsonNode format, String field, List<FieldError> errors) {
        JsonNode node = format.get(field);
        if (node == null || node.isNull()) {
            errors.add(new FieldError("format." + field, "is required for image-folder: the " + field
                    + " every image is resized to, 1 to " + MAX_IMAGE_SIDE));
            return 0;
        }
        if (!node.isIntegralNumber() || !node.canConvertToInt() || node.asInt() < 1
                || node.asInt() > MAX_IMAGE_SIDE) {
            errors.add(new FieldError("format." + field, "must be an integer from 1 to " + MAX_IMAGE_SIDE
                    + " but is " + node));
            return 0;
        }
        return node.asInt();
    }

    private static DatasetFormat.Colour colour(JsonNode format, List<FieldError> errors) {
        String value = optionalText(format, "colour", errors);
        if (value == null) {
            return DatasetFormat.Colour.RGB;
        }
        try {
            return DatasetFormat.Colour.valueOf(value.toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            errors.add(new FieldError("format.colour", "must be RGB or GRAYSCALE but is '" + value + "'"));
            return null;
        }
    }

    /** A string option, or null when absent; a non-string is an error (and null). */
    private static String optionalText(JsonNode format, String field, List<FieldError> errors) {
        JsonNode node = format.get(field);
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isString()) {
            errors.add(new FieldError("format." + field, "must be a string but is " + node));
            return null;
        }
        return node.asString();
    }

    private static void unknownFields(JsonNode object, Set<String> known, String prefix, List<FieldError> errors) {
        for (Iterator<String> names = object.propertyNames().iterator(); names.hasNext(); ) {
            String name = names.next();
            if (!known.contains(name)) {
                errors.add(new FieldError(prefix + name, "is not an option here; known: " + String.join(", ", known)));
            }
        }
    }
}
