package io.l0sparsify.dataset;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import tools.jackson.databind.json.JsonMapper;

/**
 * The one compact form every ingested dataset is kept in, whatever format it arrived in, so that any worker
 * reads any dataset the same way: {@code "L0DS"}, a version byte, a length-prefixed JSON header (shape, class
 * names, dtype, split sizes), then per split its labels (int32) and its values (uint8, or float32), all
 * big-endian. Images stay bytes: a CIFAR-10 training set is 150 MB here, not 600.
 */
public final class CanonicalDatasetCodec {

    private static final byte[] MAGIC = "L0DS".getBytes(StandardCharsets.US_ASCII);
    private static final int VERSION = 1;
    private static final int MAX_HEADER_BYTES = 16 << 20;
    private static final JsonMapper JSON = JsonMapper.builder().build();

    private CanonicalDatasetCodec() {}

    /** The header as JSON: what a reader allocates is checked against it before any array is made. */
    record Header(List<Integer> shape, List<String> classNames, String dtype, Map<String, Integer> splits) {}

    public static void write(LabelledDataset dataset, OutputStream out) throws IOException {
        DataOutputStream data = new DataOutputStream(new BufferedOutputStream(out, 1 << 16));
        Map<String, Integer> sizes = new LinkedHashMap<>();
        List<Examples> parts = dataset.splits().parts();
        List<String> names = splitNames(dataset.splits());
        String dtype = parts.get(0).values().dtype();
        for (int i = 0; i < parts.size(); i++) {
            sizes.put(names.get(i), parts.get(i).size());
            if (!parts.get(i).values().dtype().equals(dtype)) {
                throw new IllegalArgumentException("splits of one dataset must share a dtype");
            }
        }
        byte[] header = JSON.writeValueAsBytes(new Header(dataset.shape().dims(), dataset.classNames(), dtype, sizes));
        data.write(MAGIC);
        data.writeByte(VERSION);
        data.writeInt(header.length);
        data.write(header);
        for (Examples part : parts) {
            for (int label : part.labels()) {
                data.writeInt(label);
            }
            switch (part.values()) {
                case ExampleValues.UnsignedBytes(byte[] bytes) -> data.write(bytes);
                case ExampleValues.Floats(float[] floats) -> {
                    ByteBuffer buffer = ByteBuffer.allocate(1 << 16).order(ByteOrder.BIG_ENDIAN);
                    for (float f : floats) {
                        if (!buffer.hasRemaining()) {
                            data.write(buffer.array(), 0, buffer.position());
                            buffer.clear();
                        }
                        buffer.putFloat(f);
                    }
                    data.write(buffer.array(), 0, buffer.position());
                }
            }
        }
        data.flush();
    }

    /**
     * Reads what {@link #write} wrote. A stream that is not this format, of another version, or shorter than
     * its header says is refused; nothing larger than the stream's real content is allocated past the header's
     * own checks.
     */
    public static LabelledDataset read(InputStream in) throws IOException {
        DataInputStream data = new DataInputStream(new BufferedInputStream(in, 1 << 16));
        byte[] magic = data.readNBytes(MAGIC.length);
        if (!java.util.Arrays.equals(magic, MAGIC)) {
            throw new IOException("not a stored dataset (wrong magic)");
        }
        int version = data.readUnsignedByte();
        if (version != VERSION) {
            throw new IOException("stored dataset version " + version + " is not readable by this release (reads "
                    + VERSION + ")");
        }
        int headerLength = data.readInt();
        if (headerLength < 2 || headerLength > MAX_HEADER_BYTES) {
            throw new IOException("stored dataset header of " + headerLength + " bytes is implausible");
        }
        Header header = JSON.readValue(readFully(data, headerLength), Header.class);
        InputShape shape = new InputShape(header.shape());
        List<Examples> parts = new ArrayList<>();
        for (Map.Entry<String, Integer> split : header.splits().entrySet()) {
            int count = split.getValue();
            int[] labels = new int[count];
            for (int i = 0; i < count; i++) {
                labels[i] = data.readInt();
                if (labels[i] < 0 || labels[i] >= header.classNames().size()) {
                    throw new IOException("stored dataset has label " + labels[i] + " outside its "
                            + header.classNames().size() + " classes");
                }
            }
            int values = Math.multiplyExact(count, shape.size());
            ExampleValues stored = switch (header.dtype()) {
                case "uint8" -> new ExampleValues.UnsignedBytes(readFully(data, values));
                case "float32" -> {
                    float[] floats = new float[values];
                    for (int i = 0; i < values; i++) {
                        floats[i] = data.readFloat();
                    }
                    yield new ExampleValues.Floats(floats);
                }
                default -> throw new IOException("stored dataset has unknown dtype " + header.dtype());
            };
            parts.add(new Examples(split.getKey(), shape, stored, labels));
        }
        LabelledDataset.Splits splits = switch (parts.size()) {
            case 1 -> new LabelledDataset.Splits.Unsplit(parts.get(0));
            case 2 -> new LabelledDataset.Splits.Given(parts.get(0), parts.get(1));
            default -> throw new IOException("stored dataset has " + parts.size() + " splits");
        };
        return new LabelledDataset(shape, header.classNames(), splits);
    }

    private static List<String> splitNames(LabelledDataset.Splits splits) {
        return switch (splits) {
            case LabelledDataset.Splits.Given g -> List.of("train", "test");
            case LabelledDataset.Splits.Unsplit u -> List.of("all");
        };
    }

    private static byte[] readFully(DataInputStream in, int length) throws IOException {
        byte[] bytes = in.readNBytes(length);
        if (bytes.length < length) {
            throw new EOFException("stored dataset is truncated");
        }
        return bytes;
    }
}
