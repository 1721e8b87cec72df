package io.l0sparsify.model;

import java.nio.file.Path;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.util.unit.DataSize;

/**
 * Uploaded models ({@code l0.models.*}).
 *
 * @param maxUploadSize the largest ONNX file accepted (default 512MB); a larger upload is refused with 413
 * @param maxParameters the most parameters (weights and biases of Gemm/MatMul/Conv, scale and shift of
 *     BatchNormalization) a model may have (default 50,000,000)
 * @param minOpset the oldest default-domain opset accepted (default 7)
 * @param maxOpset the newest default-domain opset accepted (default 21)
 * @param uploadDir where uploads are streamed to before they are checked (default {@code ./data/model-uploads})
 */
@ConfigurationProperties("l0.models")
public record ModelProperties(DataSize maxUploadSize, Long maxParameters, Integer minOpset, Integer maxOpset,
        Path uploadDir) {

    public ModelProperties {
        maxUploadSize = maxUploadSize != null ? maxUploadSize : DataSize.ofMegabytes(512);
        maxParameters = maxParameters != null ? maxParameters : 50_000_000L;
        minOpset = minOpset != null ? minOpset : 7;
        maxOpset = maxOpset != null ? maxOpset : 21;
        uploadDir = uploadDir != null ? uploadDir : Path.of("data", "model-uploads");
        if (maxUploadSize.toBytes() < 1 || maxUploadSize.toBytes() > Integer.MAX_VALUE) {
            // protobuf reads a message of at most 2 GB
            throw new IllegalArgumentException("l0.models.max-upload-size: must be between 1B and 2GB but is "
                    + maxUploadSize);
        }
        if (maxParameters < 1) {
            throw new IllegalArgumentException("l0.models.max-parameters: must be positive but is " + maxParameters);
        }
        if (minOpset < 1 || maxOpset < minOpset) {
            throw new IllegalArgumentException("l0.models: min-opset must be positive and at most max-opset but are "
                    + minOpset + " and " + maxOpset);
        }
    }

    /** The limits the reader checks. */
    public OnnxModelReader.Limits readerLimits() {
        return new OnnxModelReader.Limits(maxUploadSize.toBytes(), maxParameters, minOpset, maxOpset);
    }
}
