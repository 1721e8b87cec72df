package io.l0sparsify.api;

import io.l0sparsify.ConditionalOnRole;
import io.l0sparsify.Role;
import io.l0sparsify.dataset.DatasetReferenceException;
import io.l0sparsify.dataset.DatasetResolver;
import io.l0sparsify.dataset.ResolvedDataset;
import io.l0sparsify.job.ModelSpecJson;
import io.l0sparsify.spec.ModelSpec;
import io.l0sparsify.spec.Presets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.JsonNode;

/** What a job can refer to: the model presets and the datasets. */
@ConditionalOnRole({Role.ALL, Role.API})
@RestController
@RequestMapping(path = "/v1", produces = MediaType.APPLICATION_JSON_VALUE)
class CatalogController {

    private final DatasetResolver datasets;

    CatalogController(DatasetResolver datasets) {
        this.datasets = datasets;
    }

    record PresetItem(String name, JsonNode model, long parameters, int gatedLayers) {}

    record PresetList(List<PresetItem> items) {}

    /** A built-in dataset: how a job refers to it and the shape of one example ({@code [C, H, W]}). */
    record BuiltinDatasetItem(String uri, String name, List<Integer> inputShape) {}

    record BuiltinDatasetList(List<BuiltinDatasetItem> items) {}

    @GetMapping("/presets")
    PresetList presets() {
        List<PresetItem> items = new ArrayList<>();
        for (Map.Entry<String, ModelSpec> preset : Presets.all().entrySet()) {
            ModelSpec spec = preset.getValue();
            items.add(new PresetItem(preset.getKey(), ModelSpecJson.write(spec), spec.parameterCount(),
                    spec.gatedLayerIndices().size()));
        }
        return new PresetList(items);
    }

    /**
     * The built-in datasets. Uploaded ones are listed at {@code GET /v1/datasets}. No server path is shown: where
     * datasets lie on the server's disk is the operator's business.
     */
    @GetMapping("/datasets/builtin")
    BuiltinDatasetList builtinDatasets() {
        List<BuiltinDatasetItem> items = new ArrayList<>();
        for (String name : datasets.builtinNames()) {
            try {
                ResolvedDataset dataset = datasets.resolve("builtin:" + name);
                items.add(new BuiltinDatasetItem(dataset.uri(), name,
                        List.of(1, dataset.imageRows(), dataset.imageCols())));
            } catch (DatasetReferenceException e) {
                // an unreadable directory is not offered
            }
        }
        return new BuiltinDatasetList(items);
    }
}
