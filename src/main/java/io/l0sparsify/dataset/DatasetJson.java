package io.l0sparsify.dataset;

import tools.jackson.databind.json.JsonMapper;

/** The JSON of a dataset row's columns: the format with its options, and the summary. */
final class DatasetJson {

    private static final JsonMapper MAPPER = JsonMapper.builder().build();

    private DatasetJson() {}

    static String write(Object value) {
        return MAPPER.writeValueAsString(value);
    }

    /** A format as {@link DatasetFormat}'s type tag writes it: {@code {"format": "npz", "layout": "NHWC"}}. */
    static String writeFormat(DatasetFormat format) {
        return MAPPER.writerFor(DatasetFormat.class).writeValueAsString(format);
    }

    static DatasetFormat readFormat(String json) {
        return MAPPER.readValue(json, DatasetFormat.class);
    }

    static DatasetSummary readSummary(String json) {
        return MAPPER.readValue(json, DatasetSummary.class);
    }
}
