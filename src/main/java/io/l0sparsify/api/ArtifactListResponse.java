package io.l0sparsify.api;

import io.l0sparsify.storage.ArtifactInfo;
import java.util.List;

/** Schema {@code ArtifactList}: what a job has stored so far. */
record ArtifactListResponse(List<Item> items) {

    record Item(String name, String mediaType, long size, String sha256, String href) {
        static Item of(String jobId, ArtifactInfo info) {
            return new Item(info.name(), info.mediaType(), info.size(), info.sha256(),
                    "/v1/jobs/" + jobId + "/artifacts/" + info.name());
        }
    }
}
