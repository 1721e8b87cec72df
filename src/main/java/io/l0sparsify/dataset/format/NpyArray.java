package io.l0sparsify.dataset.format;

import io.l0sparsify.dataset.DatasetFormatException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * One array in numpy's {@code .npy} format (versions 1.0, 2.0 and 3.0 of numpy's {@code format} module): the
 * magic {@code \x93NUMPY}, a version, a little-endian header length, a Python dict literal
 * {@code {'descr': '<f8', 'fortran_order': False, 'shape': (3, 4), }}, then the raw elements.
 *
 * <p>Written here rather than taken from a library: the Java ones read memory-mapped files (not an entry
 * streamed out of a zip or tar.gz under a size budget) and bring a Kotlin runtime; the header is a few
 * dozen lines. The header's promise is checked against what the data limit has left before the data are
 * allocated and read, so a header claiming terabytes allocates nothing and one that lies allocates no more
 * than the limit.
 *
 * @param name where the array came from, for messages ({@code x_train.npy})
 * @param dtype the element type
 * @param shape the dimensions
 * @param fortranOrder whether the first index varies fastest
 * @param data the raw elements
 */
record NpyArray(String name, Dtype dtype, long[] shape, boolean fortranOrder, byte[] data) {

    private static final byte[] MAGIC = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    private static final int MAX_HEADER = 1 << 16;
    /** The longest Java array. */
    static final long MAX_ARRAY = Integer.MAX_VALUE - 8;

    /**
     * An element type numpy writes as {@code descr}: byte order, kind and size.
     *
     * @param kind {@code b} bool, {@code i} signed, {@code u} unsigned, {@code f} float
     */
    record Dtype(char kind, int size, ByteOrder order, String descr) {

        /** The numpy name ({@code uint8}, {@code float64}). */
        String numpyName() {
            return switch (kind) {
                case 'b' -> "bool";
                case 'i' -> "int" + size * 8;
                case 'u' -> "uint" + size * 8;
                default -> "float" + size * 8;
            };
        }

        boolean isUnsignedByte() {
            return kind == 'u' && size == 1;
        }

        boolean isFloat() {
            return kind == 'f';
        }
    }

    long elements() {
        long n = 1;
        for (long d : shape) {
            n = Math.multiplyExact(n, d);
        }
        return n;
    }

    /** The shape as numpy prints it: {@code (60000, 28, 28)}. */
    String shapeText() {
        return shape.length == 1 ? "(" + shape[0] + ",)"
                : Arrays.stream(shape).mapToObj(Long::toString).collect(Collectors.joining(", ", "(", ")"));
    }

    /** Element {@code index} (in the order the data are stored) as a double. */
    double get(ByteBuffer buffer, long index) {
        int at = Math.toIntExact(index * dtype.size());
        return switch (dtype.kind()) {
            case 'b' -> buffer.get(at) != 0 ? 1 : 0;
            case 'i' -> switch (dtype.size()) {
                case 1 -> buffer.get(at);
                case 2 -> buffer.getShort(at);
                case 4 -> buffer.getInt(at);
                default -> buffer.getLong(at);
            };
            case 'u' -> switch (dtype.size()) {
                case 1 -> buffer.get(at) & 0xFF;
                case 2 -> buffer.getShort(at) & 0xFFFF;
                case 4 -> buffer.getInt(at) & 0xFFFFFFFFL;
                default -> unsigned(buffer.getLong(at));
            };
            default -> switch (dtype.size()) {
                case 2 -> Float.float16ToFloat(buffer.getShort(at));
                case 4 -> buffer.getFloat(at);
                default -> buffer.getDouble(at);
            };
        };
    }

    /** The data in the element's byte order. */
    ByteBuffer buffer() {
        return ByteBuffer.wrap(data).order(dtype.order());
    }

    private static double unsigned(long value) {
        return value >= 0 ? value : (value >>> 1) * 2.0 + (value & 1);
    }

    /**
     * Reads one {@code .npy} stream.
     *
     * @param file the uploaded file, for messages
     * @param name the array's entry name, for messages
     */
    static NpyArray read(Path file, String name, InputStream in, ExpansionBudget budget) throws IOException {
        byte[] magic = in.readNBytes(MAGIC.length);
        if (!Arrays.equals(magic, MAGIC)) {
            throw new DatasetFormatException(file, name + ": not a .npy array (wrong magic number; numpy's"
                    + " arrays start with \\x93NUMPY)");
        }
        byte[] version = in.readNBytes(2);
        if (version.length < 2) {
            throw new DatasetFormatException(file, name + ": truncated inside its header");
        }
        int major = version[0];
        if (major < 1 || major > 3) {
            throw new DatasetFormatException(file, name + ": .npy format version " + major + "." + version[1]
                    + " is not one this service reads (1.0 to 3.0)");
        }
        byte[] lengthBytes = in.readNBytes(major == 1 ? 2 : 4);
        if (lengthBytes.length < (major == 1 ? 2 : 4)) {
            throw new DatasetFormatException(file, name + ": truncated inside its header");
        }
        ByteBuffer lengthBuffer = ByteBuffer.wrap(lengthBytes).order(ByteOrder.LITTLE_ENDIAN);
        long headerLength = major == 1 ? lengthBuffer.getShort() & 0xFFFF : lengthBuffer.getInt() & 0xFFFFFFFFL;
        if (headerLength > MAX_HEADER) {
            throw new DatasetFormatException(file, name + ": header of " + headerLength + " bytes is implausible");
        }
        byte[] headerBytes = in.readNBytes((int) headerLength);
        if (headerBytes.length < headerLength) {
            throw new DatasetFormatException(file, name + ": truncated inside its header");
        }
        String header = new String(headerBytes, major == 3 ? StandardCharsets.UTF_8 : StandardCharsets.ISO_8859_1);
        Map<String, Object> dict;
        try {
            Object parsed = new LiteralParser(header).parseWhole();
            if (!(parsed instanceof Map<?, ?> map)) {
                throw new IllegalArgumentException("the header is not a dict");
            }
            dict = new LinkedHashMap<>();
            map.forEach((k, v) -> dict.put(String.valueOf(k), v));
        } catch (IllegalArgumentException e) {
            throw new DatasetFormatException(file, name + ": corrupt .npy header: " + e.getMessage());
        }
        Dtype dtype = dtype(file, name, dict.get("descr"));
        if (!(dict.get("fortran_order") instanceof Boolean fortran)) {
            throw new DatasetFormatException(file, name + ": corrupt .npy header: no fortran_order True or False");
        }
        if (!(dict.get("shape") instanceof List<?> dims)) {
            throw new DatasetFormatException(file, name + ": corrupt .npy header: no shape tuple");
        }
        long[] shape = new long[dims.size()];
        for (int i = 0; i < shape.length; i++) {
            if (!(dims.get(i) instanceof Long d) || d < 0) {
                throw new DatasetFormatException(file, name + ": corrupt .npy header: shape " + dims
                        + " is not a tuple of non-negative integers");
            }
            shape[i] = d;
        }
        long elements;
        long bytes;
        try {
            elements = 1;
            for (long d : shape) {
                elements = Math.multiplyExact(elements, d);
            }
            bytes = Math.multiplyExact(elements, dtype.size());
        } catch (ArithmeticException e) {
            bytes = -1;
        }
        String promise = name + ": shape " + Arrays.toString(shape) + " of " + dtype.numpyName();
        budget.checkPromise(bytes, promise);
        if (bytes > MAX_ARRAY) {
            throw new DatasetFormatException(file, promise + " is " + bytes + " bytes, more than one array holds");
        }
        // the promise is within the data limit, so allocating it is bounded by the limit whatever the file holds
        byte[] data = new byte[(int) bytes];
        int read = in.readNBytes(data, 0, data.length);
        if (read < bytes) {
            throw new DatasetFormatException(file, name + ": truncated: its header promises " + bytes
                    + " bytes of data but only " + read + " follow");
        }
        return new NpyArray(name, dtype, shape, fortran, data);
    }

    private static Dtype dtype(Path file, String name, Object descr) {
        if (!(descr instanceof String text) || text.isEmpty()) {
            throw new DatasetFormatException(file, name + ": dtype " + descr + " is not supported: arrays must be"
                    + " of bool, int8-64, uint8-64 or float16-64 (not records, strings or Python objects)");
        }
        char first = text.charAt(0);
        ByteOrder order = first == '>' ? ByteOrder.BIG_ENDIAN : ByteOrder.LITTLE_ENDIAN;
        String rest = "<>|=".indexOf(first) >= 0 ? text.substring(1) : text;
        if (rest.length() >= 2 && "biuf".indexOf(rest.charAt(0)) >= 0 && rest.substring(1).matches("[1248]")) {
            char kind = rest.charAt(0);
            int size = rest.charAt(1) - '0';
            boolean fits = switch (kind) {
                case 'b' -> size == 1;
                case 'f' -> size >= 2;
                default -> true;
            };
            if (fits) {
                return new Dtype(kind, size, order, text);
            }
        }
        throw new DatasetFormatException(file, name + ": dtype '" + Archive.printable(text) + "' is not supported:"
                + " arrays must be of bool, int8-64, uint8-64 or float16-64 (not complex, strings, dates or Python"
                + " objects)");
    }

    /** The subset of Python literals numpy writes in a header: dicts, tuples, lists, strings, ints, bools. */
    private static final class LiteralParser {
        private static final int MAX_DEPTH = 8;
        private final String text;
        private int at;
        private int depth;

        LiteralParser(String text) {
            this.text = text;
        }

        Object parseWhole() {
            Object value = parse();
            skipSpace();
            if (at != text.length()) {
                throw new IllegalArgumentException("unexpected text after the dict");
            }
            return value;
        }

        private Object parse() {
            skipSpace();
            if (at >= text.length()) {
                throw new IllegalArgumentException("ends too early");
            }
            char c = text.charAt(at);
            return switch (c) {
                case '{' -> dict();
                case '(' -> sequence(')');
                case '[' -> sequence(']');
                case '\'', '"' -> string(c);
                default -> c == '-' || Character.isDigit(c) ? integer() : word();
            };
        }

        private void enter() {
            if (++depth > MAX_DEPTH) {
                throw new IllegalArgumentException("nested too deeply");
            }
            at++;
        }

        private Map<Object, Object> dict() {
            enter();
            Map<Object, Object> map = new LinkedHashMap<>();
            while (true) {
                skipSpace();
                if (peek() == '}') {
                    at++;
                    depth--;
                    return map;
                }
                Object key = parse();
                skipSpace();
                expect(':');
                map.put(key, parse());
                skipSpace();
                if (peek() == ',') {
                    at++;
                } else if (peek() != '}') {
                    throw new IllegalArgumentException("expected , or } at " + at);
                }
            }
        }

        private List<Object> sequence(char close) {
            enter();
            List<Object> items = new ArrayList<>();
            while (true) {
                skipSpace();
                if (peek() == close) {
                    at++;
                    depth--;
                    return items;
                }
                items.add(parse());
                skipSpace();
                if (peek() == ',') {
                    at++;
                } else if (peek() != close) {
                    throw new IllegalArgumentException("expected , or " + close + " at " + at);
                }
            }
        }

        private String string(char quote) {
            int end = text.indexOf(quote, at + 1);
            if (end < 0) {
                throw new IllegalArgumentException("unterminated string");
            }
            String value = text.substring(at + 1, end);
            at = end + 1;
            return value;
        }

        private Long integer() {
            int start = at;
            if (peek() == '-') {
                at++;
            }
            while (at < text.length() && Character.isDigit(text.charAt(at))) {
                at++;
            }
            String digits = text.substring(start, at);
            if (peek() == 'L') {
                at++; // Python 2's long suffix
            }
            try {
                return Long.parseLong(digits);
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("integer " + digits + " out of range");
            }
        }

        private Object word() {
            for (String w : List.of("True", "False", "None")) {
                if (text.startsWith(w, at)) {
                    at += w.length();
                    return switch (w) {
                        case "True" -> Boolean.TRUE;
                        case "False" -> Boolean.FALSE;
                        default -> "None";
                    };
                }
            }
            throw new IllegalArgumentException("unexpected character at " + at);
        }

        private void expect(char c) {
            if (peek() != c) {
                throw new IllegalArgumentException("expected " + c + " at " + at);
            }
            at++;
        }

        private char peek() {
            return at < text.length() ? text.charAt(at) : '\0';
        }

        private void skipSpace() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) {
                at++;
            }
        }
    }
}
