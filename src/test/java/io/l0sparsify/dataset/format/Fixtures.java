package io.l0sparsify.dataset.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.l0sparsify.dataset.DatasetFormat;
import io.l0sparsify.dataset.ExampleValues;
import io.l0sparsify.dataset.Examples;
import io.l0sparsify.dataset.IngestLimits;
import io.l0sparsify.dataset.LabelledDataset;
import io.l0sparsify.dataset.LabelledDataset.Splits;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The committed fixtures (written by scripts/fixtures/make_dataset_fixtures.py with numpy and pandas) and what
 * numpy computed for them (expected.json), checked against what a reader produced.
 */
final class Fixtures {

    /** Generous limits: only the limit tests set tight ones. */
    static final IngestLimits LIMITS = new IngestLimits(64L << 20, 1000, 1000);

    private static final JsonNode EXPECTED = load();

    private Fixtures() {}

    static Path path(String name) {
        try {
            return Path.of(Fixtures.class.getResource("/datasets/" + name).toURI());
        } catch (URISyntaxException | NullPointerException e) {
            throw new IllegalStateException("no fixture " + name, e);
        }
    }

    static LabelledDataset read(DatasetFormat format, String name) {
        return DatasetReaders.read(format, path(name), LIMITS);
    }

    /** Asserts shape, dtype, class names, split names and per split the labels, value sum and first values. */
    static void assertMatchesNumpy(LabelledDataset dataset, String key) {
        JsonNode expected = EXPECTED.get(key);
        assertThat(expected).as("expected.json entry " + key).isNotNull();
        assertThat(dataset.shape().dims()).isEqualTo(ints(expected.get("shape")));
        assertThat(dataset.classNames()).isEqualTo(strings(expected.get("classNames")));
        JsonNode splits = expected.get("splits");
        Map<String, Examples> parts = switch (dataset.splits()) {
            case Splits.Given(Examples train, Examples test) -> Map.of("train", train, "test", test);
            case Splits.Unsplit(Examples all) -> Map.of("all", all);
        };
        assertThat(parts.keySet()).containsExactlyInAnyOrderElementsOf(splits.propertyNames());
        for (String name : splits.propertyNames()) {
            JsonNode split = splits.get(name);
            Examples part = parts.get(name);
            assertThat(part.values().dtype()).as(name + " dtype").isEqualTo(expected.get("dtype").asString());
            assertThat(part.size()).as(name + " count").isEqualTo(split.get("count").asInt());
            assertThat(part.labels()).as(name + " labels").containsExactly(
                    ints(split.get("labels")).stream().mapToInt(Integer::intValue).toArray());
            double[] values = values(part.values());
            double sum = 0;
            for (double v : values) {
                sum += v;
            }
            double expectedSum = split.get("sum").asDouble();
            assertThat(sum).as(name + " sum of values").isCloseTo(expectedSum, within(1e-4 * (1 + Math.abs(expectedSum))));
            JsonNode first = split.get("first");
            for (int i = 0; i < first.size(); i++) {
                assertThat(values[i]).as(name + " value " + i).isCloseTo(first.get(i).asDouble(), within(1e-6));
            }
        }
    }

    static double[] values(ExampleValues values) {
        return switch (values) {
            case ExampleValues.UnsignedBytes(byte[] bytes) -> {
                double[] out = new double[bytes.length];
                for (int i = 0; i < bytes.length; i++) {
                    out[i] = bytes[i] & 0xFF;
                }
                yield out;
            }
            case ExampleValues.Floats(float[] floats) -> {
                double[] out = new double[floats.length];
                for (int i = 0; i < floats.length; i++) {
                    out[i] = floats[i];
                }
                yield out;
            }
        };
    }

    private static List<Integer> ints(JsonNode array) {
        List<Integer> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asInt()));
        return out;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asString()));
        return out;
    }

    private static JsonNode load() {
        try {
            return JsonMapper.builder().build().readTree(Files.readString(path("expected.json")));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
