package io.l0sparsify.storage;

/** The canonical form of each uploaded dataset ({@code datasets/<id>.l0ds}). */
public interface DatasetBlobStore extends BlobStore {

    Kind KIND = new Kind("dataset", "datasets", ".l0ds", "application/octet-stream");
}
