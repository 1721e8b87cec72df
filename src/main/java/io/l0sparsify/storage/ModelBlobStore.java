package io.l0sparsify.storage;

/** The original ONNX file of each uploaded model ({@code models/<id>.onnx}). */
public interface ModelBlobStore extends BlobStore {

    Kind KIND = new Kind("model", "models", ".onnx", "application/onnx");
}
