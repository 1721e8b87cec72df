package io.l0sparsify.job;

import io.l0sparsify.l0.Devices;
import io.l0sparsify.l0.TrainingConfig;
import io.l0sparsify.spec.LayerSpec;
import io.l0sparsify.spec.ModelSpec;
import io.l0sparsify.spec.Presets;
import io.l0sparsify.spec.SpecException;
import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.JsonNodeFactory;
import tools.jackson.databind.node.ObjectNode;

/**
 * Reads the job request body of the contract ({@code POST /v1/jobs}) into a {@link JobDefinition} and writes
 * it back in canonical form (every default filled in, fields in a fixed order). The canonical form is what
 * the database stores and what an {@code Idempotency-Key} compares.
 *
 * <p>The parser walks the tree itself rather than binding to classes so that it can report every problem at
 * once, each with the exact path of the field ({@code model.layers[2].units}), and reject unknown fields.
 */
public final class JobDefinitionJson {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private static final Set<String> ROOT_FIELDS = Set.of("name", "model", "dataset", "training");
    private static final Set<String> MODEL_FIELDS = Set.of("preset", "inputShape", "layers");
    private static final Set<String> DATASET_FIELDS = Set.of("uri");
    private static final Set<String> TRAINING_FIELDS = Set.of("epochs", "batchSize", "learningRate", "lambda",
            "weightDecay", "temperature", "initialDropRate", "ema", "seed", "perExampleGates", "device",
            "maxRuntime");
    private static final Map<String, Set<String>> LAYER_FIELDS = Map.of(
            "dense", Set.of("type", "units", "gated"),
            "conv2d", Set.of("type", "filters", "kernel", "stride", "padding", "gated"),
            "maxpool", Set.of("type", "size", "stride"),
            "relu", Set.of("type"),
            "flatten", Set.of("type"),
            "dropout", Set.of("type", "rate"));
    private static final List<String> LAYER_TYPES =
            List.of("dense", "conv2d", "maxpool", "relu", "flatten", "dropout");
    private static final int MAX_NAME_LENGTH = 200;

    private JobDefinitionJson() {}

    /** Parses and validates a request body; throws {@link JobValidationException} listing every problem. */
    public static JobDefinition parse(JsonNode root, JobLimits limits) {
        Errors errors = new Errors();
        if (root == null || !root.isObject()) {
            throw new JobValidationException("", "the body must be a JSON object");
        }
        errors.unknownFields(root, ROOT_FIELDS, "");

        String name = null;
        JsonNode nameNode = root.get("name");
        if (nameNode != null && !nameNode.isNull()) {
            if (!nameNode.isString()) {
                errors.add("name", "must be a string");
            } else if (nameNode.stringValue().length() > MAX_NAME_LENGTH) {
                errors.add("name", "must be at most " + MAX_NAME_LENGTH + " characters long");
            } else {
                name = nameNode.stringValue();
            }
        }

        String preset = null;
        ModelSpec model = null;
        JsonNode modelNode = root.get("model");
        if (modelNode == null || modelNode.isNull()) {
            errors.add("model", "is required");
        } else if (!modelNode.isObject()) {
            errors.add("model", "must be an object: {\"preset\": NAME} or {\"inputShape\": [...], \"layers\": [...]}");
        } else {
            errors.unknownFields(modelNode, MODEL_FIELDS, "model.");
            if (modelNode.has("preset")) {
                if (modelNode.has("inputShape") || modelNode.has("layers")) {
                    errors.add("model", "give either a preset or inputShape and layers, not both");
                } else {
                    JsonNode presetNode = modelNode.get("preset");
                    if (!presetNode.isString()) {
                        errors.add("model.preset", "must be a string");
                    } else {
                        preset = presetNode.stringValue();
                        model = Presets.byName(preset).orElse(null);
                        if (model == null) {
                            errors.add("model.preset", "unknown preset '" + preset + "'; known presets: "
                                    + String.join(", ", Presets.names()));
                            preset = null;
                        } else {
                            checkSpecLimits(model, limits, errors);
                        }
                    }
                }
            } else {
                model = parseInlineModel(modelNode, limits, errors);
            }
        }

        String datasetUri = null;
        JsonNode datasetNode = root.get("dataset");
        if (datasetNode == null || datasetNode.isNull()) {
            errors.add("dataset", "is required, e.g. {\"uri\": \"builtin:mnist\"}");
        } else if (!datasetNode.isObject()) {
            errors.add("dataset", "must be an object with a uri");
        } else {
            errors.unknownFields(datasetNode, DATASET_FIELDS, "dataset.");
            JsonNode uri = datasetNode.get("uri");
            if (uri == null || !uri.isString() || uri.stringValue().isBlank()) {
                errors.add("dataset.uri", "is required: builtin:NAME or file:/absolute/dir");
            } else {
                datasetUri = uri.stringValue();
            }
        }

        TrainingSettings training = parseTraining(root.get("training"), limits, errors);
        if (model != null && training != null && errors.isEmpty()) {
            try {
                String device = training.device() != null ? training.device() : "auto";
                training.toConfig(device, 0).validateFor(model);
            } catch (IllegalArgumentException e) {
                errors.fromPrefixedMessage("training.", e.getMessage());
            }
        }
        errors.throwIfAny();
        return new JobDefinition(name, preset, model, datasetUri, training);
    }

    /** The canonical JSON of a definition; {@link #parse} of it gives the same definition. */
    public static ObjectNode write(JobDefinition definition) {
        ObjectNode root = NODES.objectNode();
        if (definition.name() != null) {
            root.put("name", definition.name());
        }
        if (definition.preset() != null) {
            root.putObject("model").put("preset", definition.preset());
        } else {
            root.set("model", ModelSpecJson.write(definition.model()));
        }
        root.putObject("dataset").put("uri", definition.datasetUri());
        root.set("training", writeTraining(definition.training()));
        return root;
    }

    public static ObjectNode writeTraining(TrainingSettings t) {
        ObjectNode node = NODES.objectNode();
        node.put("epochs", t.epochs());
        node.put("batchSize", t.batchSize());
        node.put("learningRate", t.learningRate());
        writeNumberOrList(node, "lambda", t.lambdas());
        node.put("weightDecay", t.weightDecay());
        node.put("temperature", t.temperature());
        if (!t.initialDropRates().isEmpty()) {
            writeNumberOrList(node, "initialDropRate", t.initialDropRates());
        }
        node.put("ema", t.ema());
        node.put("seed", t.seed());
        node.put("perExampleGates", t.perExampleGates());
        if (t.device() != null) {
            node.put("device", t.device());
        }
        node.put("maxRuntime", t.maxRuntime().toString());
        return node;
    }

    private static void writeNumberOrList(ObjectNode node, String field, List<Double> values) {
        if (values.size() == 1) {
            node.put(field, values.get(0));
        } else {
            ArrayNode array = node.putArray(field);
            values.forEach(array::add);
        }
    }

    private static ModelSpec parseInlineModel(JsonNode modelNode, JobLimits limits, Errors errors) {
        int before = errors.size();
        List<Integer> inputShape = new ArrayList<>();
        JsonNode shapeNode = modelNode.get("inputShape");
        if (shapeNode == null || !shapeNode.isArray()) {
            errors.add("model.inputShape", "is required: [features] or [channels, height, width]");
        } else {
            for (int i = 0; i < shapeNode.size(); i++) {
                Integer dim = errors.integer(shapeNode.get(i), "model.inputShape[" + i + "]");
                inputShape.add(dim);
            }
        }
        List<LayerSpec> layers = new ArrayList<>();
        JsonNode layersNode = modelNode.get("layers");
        if (layersNode == null || !layersNode.isArray()) {
            errors.add("model.layers", "is required: a list of layers such as {\"type\": \"dense\", \"units\": 300}");
        } else if (layersNode.size() > limits.maxLayers()) {
            errors.add("model.layers", "has " + layersNode.size() + " layers; at most " + limits.maxLayers()
                    + " are allowed");
        } else {
            for (int i = 0; i < layersNode.size(); i++) {
                layers.add(parseLayer(layersNode.get(i), "model.layers[" + i + "]", errors));
            }
        }
        if (errors.size() > before) {
            return null;
        }
        try {
            return ModelSpec.of(inputShape, layers, limits.specLimits());
        } catch (SpecException e) {
            errors.add("model." + e.field(), e.reason());
            return null;
        }
    }

    private static LayerSpec parseLayer(JsonNode node, String at, Errors errors) {
        if (node == null || !node.isObject()) {
            errors.add(at, "must be an object with a type");
            return null;
        }
        JsonNode typeNode = node.get("type");
        if (typeNode == null || !typeNode.isString()) {
            errors.add(at + ".type", "is required: one of " + String.join(", ", LAYER_TYPES));
            return null;
        }
        String type = typeNode.stringValue();
        Set<String> allowed = LAYER_FIELDS.get(type);
        if (allowed == null) {
            errors.add(at + ".type",
                    "unknown layer type '" + type + "'; known types: " + String.join(", ", LAYER_TYPES));
            return null;
        }
        int before = errors.size();
        errors.unknownFields(node, allowed, at + ".");
        LayerSpec layer;
        switch (type) {
            case "dense" -> layer = new LayerSpec.Dense(
                    errors.requiredInt(node, "units", at), errors.bool(node, "gated", at, true));
            case "conv2d" -> layer = new LayerSpec.Conv2d(errors.requiredInt(node, "filters", at),
                    errors.requiredInt(node, "kernel", at), errors.optionalInt(node, "stride", at, 1),
                    errors.optionalInt(node, "padding", at, 0), errors.bool(node, "gated", at, true));
            case "maxpool" -> {
                int size = errors.requiredInt(node, "size", at);
                layer = new LayerSpec.MaxPool(size, errors.optionalInt(node, "stride", at, size));
            }
            case "relu" -> layer = new LayerSpec.Relu();
            case "flatten" -> layer = new LayerSpec.Flatten();
            default -> layer = new LayerSpec.Dropout(errors.number(node.get("rate"), at + ".rate", true));
        }
        return errors.size() > before ? null : layer;
    }

    private static TrainingSettings parseTraining(JsonNode node, JobLimits limits, Errors errors) {
        TrainingConfig d = TrainingConfig.defaults();
        if (node != null && !node.isNull() && !node.isObject()) {
            errors.add("training", "must be an object");
            return null;
        }
        if (node == null || node.isNull()) {
            node = NODES.objectNode();
        }
        int before = errors.size();
        errors.unknownFields(node, TRAINING_FIELDS, "training.");
        int epochs = errors.optionalInt(node, "epochs", "training", d.epochs());
        int batchSize = errors.optionalInt(node, "batchSize", "training", d.batchSize());
        double learningRate = errors.optionalNumber(node, "learningRate", d.learningRate());
        List<Double> lambdas = errors.numberOrList(node, "lambda", d.lambdas());
        double weightDecay = errors.optionalNumber(node, "weightDecay", d.weightDecay());
        double temperature = errors.optionalNumber(node, "temperature", d.beta());
        List<Double> dropRates = errors.numberOrList(node, "initialDropRate", d.initialDropRates());
        double ema = errors.optionalNumber(node, "ema", d.emaDecay());
        long seed = d.seed();
        JsonNode seedNode = node.get("seed");
        if (seedNode != null && !seedNode.isNull()) {
            if (!seedNode.isIntegralNumber() || !seedNode.canConvertToLong()) {
                errors.add("training.seed", "must be an integer");
            } else {
                seed = seedNode.longValue();
            }
        }
        boolean perExampleGates = errors.bool(node, "perExampleGates", "training", d.perExampleGates());
        String device = null;
        JsonNode deviceNode = node.get("device");
        if (deviceNode != null && !deviceNode.isNull()) {
            if (!deviceNode.isString()) {
                errors.add("training.device", "must be a string: " + Devices.SYNTAX);
            } else {
                device = deviceNode.stringValue();
            }
        }
        Duration maxRuntime = limits.maxRuntime();
        JsonNode runtimeNode = node.get("maxRuntime");
        if (runtimeNode != null && !runtimeNode.isNull()) {
            if (!runtimeNode.isString()) {
                errors.add("training.maxRuntime", "must be an ISO-8601 duration such as PT30M");
            } else {
                try {
                    maxRuntime = Duration.parse(runtimeNode.stringValue());
                    if (maxRuntime.isNegative() || maxRuntime.isZero()) {
                        errors.add("training.maxRuntime", "must be positive");
                    } else if (maxRuntime.compareTo(limits.maxRuntime()) > 0) {
                        errors.add("training.maxRuntime", "must be at most " + limits.maxRuntime()
                                + " but is " + maxRuntime);
                    }
                } catch (DateTimeParseException e) {
                    errors.add("training.maxRuntime", "must be an ISO-8601 duration such as PT30M but is '"
                            + runtimeNode.stringValue() + "'");
                }
            }
        }
        if (errors.size() == before) {
            if (epochs < 1 || epochs > limits.maxEpochs()) {
                errors.add("training.epochs", "must be between 1 and " + limits.maxEpochs() + " but is " + epochs);
            }
            if (batchSize < 1 || batchSize > limits.maxBatchSize()) {
                errors.add("training.batchSize", "must be between 1 and " + limits.maxBatchSize() + " but is "
                        + batchSize);
            }
        }
        if (errors.size() > before) {
            return null;
        }
        return new TrainingSettings(epochs, batchSize, learningRate, lambdas, weightDecay, temperature, dropRates,
                ema, seed, perExampleGates, device, maxRuntime);
    }

    private static void checkSpecLimits(ModelSpec model, JobLimits limits, Errors errors) {
        try {
            ModelSpec.of(model.inputShape(), model.layers(), limits.specLimits());
        } catch (SpecException e) {
            errors.add("model", "the preset exceeds this service's limits: " + e.getMessage());
        }
    }

    /** Collects problems; the typed readers return a placeholder after recording an error. */
    private static final class Errors {
        private final List<FieldError> list = new ArrayList<>();

        void add(String field, String message) {
            list.add(new FieldError(field, message));
        }

        int size() {
            return list.size();
        }

        boolean isEmpty() {
            return list.isEmpty();
        }

        void throwIfAny() {
            if (!list.isEmpty()) {
                throw new JobValidationException(list);
            }
        }

        /** Turns the core's "field: message" into a field error under {@code prefix}. */
        void fromPrefixedMessage(String prefix, String message) {
            int colon = message == null ? -1 : message.indexOf(": ");
            if (colon > 0 && !message.substring(0, colon).contains(" ")) {
                add(prefix + message.substring(0, colon), message.substring(colon + 2));
            } else {
                add(prefix.substring(0, prefix.length() - 1), String.valueOf(message));
            }
        }

        void unknownFields(JsonNode node, Set<String> allowed, String prefix) {
            for (String field : node.propertyNames()) {
                if (!allowed.contains(field)) {
                    add(prefix + field, "unknown field; allowed here: " + String.join(", ",
                            allowed.stream().sorted().toList()));
                }
            }
        }

        Integer integer(JsonNode node, String field) {
            if (node == null || !node.isIntegralNumber() || !node.canConvertToInt()) {
                add(field, "must be an integer");
                return 0;
            }
            return node.intValue();
        }

        int requiredInt(JsonNode parent, String name, String at) {
            JsonNode node = parent.get(name);
            if (node == null || node.isNull()) {
                add(at + "." + name, "is required");
                return 0;
            }
            return integer(node, at + "." + name);
        }

        int optionalInt(JsonNode parent, String name, String at, int fallback) {
            JsonNode node = parent.get(name);
            if (node == null || node.isNull()) {
                return fallback;
            }
            return integer(node, at + "." + name);
        }

        boolean bool(JsonNode parent, String name, String at, boolean fallback) {
            JsonNode node = parent.get(name);
            if (node == null || node.isNull()) {
                return fallback;
            }
            if (!node.isBoolean()) {
                add(at + "." + name, "must be true or false");
                return fallback;
            }
            return node.booleanValue();
        }

        double number(JsonNode node, String field, boolean required) {
            if (node == null || node.isNull()) {
                if (required) {
                    add(field, "is required");
                }
                return 0;
            }
            if (!node.isNumber()) {
                add(field, "must be a number");
                return 0;
            }
            return node.doubleValue();
        }

        double optionalNumber(JsonNode parent, String name, double fallback) {
            JsonNode node = parent.get(name);
            if (node == null || node.isNull()) {
                return fallback;
            }
            return number(node, "training." + name, true);
        }

        List<Double> numberOrList(JsonNode parent, String name, List<Double> fallback) {
            JsonNode node = parent.get(name);
            String field = "training." + name;
            if (node == null || node.isNull()) {
                return fallback;
            }
            if (node.isNumber()) {
                return List.of(node.doubleValue());
            }
            if (!node.isArray() || node.isEmpty()) {
                add(field, "must be a number or a non-empty list of numbers (one per gated layer)");
                return fallback;
            }
            List<Double> values = new ArrayList<>();
            for (int i = 0; i < node.size(); i++) {
                values.add(number(node.get(i), field + "[" + i + "]", true));
            }
            return values;
        }
    }
}
