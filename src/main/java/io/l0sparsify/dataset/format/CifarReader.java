package io.l0sparsify.dataset.format;

import io.l0sparsify.dataset.DatasetFormatException;
import io.l0sparsify.dataset.ExampleValues;
import io.l0sparsify.dataset.Examples;
import io.l0sparsify.dataset.InputShape;
import io.l0sparsify.dataset.LabelledDataset;
import io.l0sparsify.dataset.LabelledDataset.Splits;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads the binary versions of CIFAR-10 and CIFAR-100 (Krizhevsky, 2009) as their authors distribute them
 * ({@code cifar-10-binary.tar.gz}, {@code cifar-100-binary.tar.gz}), or their {@code .bin} files in a zip, tar
 * or tar.gz. The version is told by the file names:
 *
 * <ul>
 *   <li>CIFAR-10: {@code data_batch_1.bin} … {@code data_batch_5.bin} (whichever are present, in their
 *       numbers' order) for training and {@code test_batch.bin}; each record is 1 label byte then 3072 bytes,
 *       the 1024 red, 1024 green and 1024 blue values of a 32×32 image, row by row; class names one per line
 *       in {@code batches.meta.txt}.
 *   <li>CIFAR-100: {@code train.bin} and {@code test.bin}; each record a coarse label byte, a fine label byte,
 *       then 3072 bytes as above; class names in {@code fine_label_names.txt} and
 *       {@code coarse_label_names.txt}. The {@code labels} option picks {@code fine} (the default) or
 *       {@code coarse}.
 * </ul>
 *
 * Examples are {@code [3, 32, 32]} unsigned bytes, already channel-first. Without a names file the classes are
 * named "0" to the largest label.
 */
final class CifarReader {

    private static final int IMAGE = 3 * 32 * 32;
    private static final Pattern DATA_BATCH = Pattern.compile("data_batch_(\\d+)\\.bin");
    private static final int MAX_NAMES_BYTES = 1 << 20;

    /** The records of one .bin file. */
    private record Batch(String entry, byte[] pixels, int[] labels) {}

    private CifarReader() {}

    static LabelledDataset read(Path file, String labelsOption, ExpansionBudget budget) {
        String labels = labelsOption == null ? "fine" : labelsOption.strip();
        if (!labels.equals("fine") && !labels.equals("coarse")) {
            throw new DatasetFormatException(file, "the option labels is 'fine' or 'coarse', not '"
                    + Archive.printable(labels) + "'");
        }
        boolean coarse = labels.equals("coarse");
        int maxClasses = budget.limits().maxClasses();
        TreeMap<Integer, Batch> trainBatches = new TreeMap<>();
        Map<String, Batch> named = new HashMap<>();
        Map<String, List<String>> names = new HashMap<>();
        Map<String, String> entries = new HashMap<>();
        Archive.forEachEntry(file, Archive.ANY, "cifar", budget, (name, in) -> {
            String base = Archive.baseName(name);
            Matcher batch = DATA_BATCH.matcher(base);
            boolean known = batch.matches() || base.equals("test_batch.bin") || base.equals("train.bin")
                    || base.equals("test.bin") || base.equals("batches.meta.txt")
                    || base.equals("fine_label_names.txt") || base.equals("coarse_label_names.txt");
            if (!known) {
                return;
            }
            if (entries.putIfAbsent(base, name) != null) {
                throw new DatasetFormatException(file, "holds " + base + " twice (" + entries.get(base) + " and "
                        + name + ")");
            }
            if (base.endsWith(".txt")) {
                names.put(base, names(file, name, in));
                return;
            }
            boolean hundred = base.equals("train.bin") || base.equals("test.bin");
            // CIFAR-100 records carry the coarse label, then the fine one
            int labelBytes = hundred ? 2 : 1;
            int labelAt = hundred && !coarse ? 1 : 0;
            Batch read = batch(file, name, in, labelBytes, labelAt, maxClasses);
            if (batch.matches()) {
                trainBatches.put(Integer.parseInt(batch.group(1).length() > 6 ? "999999" : batch.group(1)), read);
            } else {
                named.put(base, read);
            }
        });
        boolean ten = !trainBatches.isEmpty() || named.containsKey("test_batch.bin");
        boolean hundred = named.containsKey("train.bin") || named.containsKey("test.bin");
        if (ten && hundred) {
            throw new DatasetFormatException(file, "holds both CIFAR-10 (data_batch_*.bin, test_batch.bin) and"
                    + " CIFAR-100 (train.bin, test.bin) files: upload one dataset");
        }
        if (!ten && !hundred) {
            throw new DatasetFormatException(file, "holds no CIFAR binary files: CIFAR-10's data_batch_1.bin …"
                    + " data_batch_5.bin and test_batch.bin, or CIFAR-100's train.bin and test.bin");
        }
        List<Batch> train;
        Batch test;
        String namesFile;
        if (ten) {
            if (trainBatches.isEmpty()) {
                throw new DatasetFormatException(file, "has test_batch.bin but no data_batch_N.bin");
            }
            test = require(file, named, "test_batch.bin");
            train = new ArrayList<>(trainBatches.values());
            namesFile = "batches.meta.txt";
        } else {
            train = List.of(require(file, named, "train.bin"));
            test = require(file, named, "test.bin");
            namesFile = coarse ? "coarse_label_names.txt" : "fine_label_names.txt";
        }
        Examples trainExamples = concatenate("train", train);
        Examples testExamples = concatenate("test", List.of(test));
        List<Examples> parts = List.of(trainExamples, testExamples);
        List<String> classNames = names.get(namesFile);
        if (classNames == null) {
            classNames = ClassLabels.numbered(parts);
        } else {
            int bound = Math.max(trainExamples.labelBound(), testExamples.labelBound());
            if (classNames.size() < bound) {
                throw new DatasetFormatException(file, entries.get(namesFile) + ": names " + classNames.size()
                        + " classes but the labels go up to " + (bound - 1));
            }
            if (classNames.size() > maxClasses) {
                throw new DatasetFormatException(file, entries.get(namesFile) + ": names " + classNames.size()
                        + " classes, more than the limit of " + maxClasses);
            }
        }
        return new LabelledDataset(InputShape.image(3, 32, 32), classNames, new Splits.Given(trainExamples,
                testExamples));
    }

    private static Batch require(Path file, Map<String, Batch> named, String name) {
        Batch batch = named.get(name);
        if (batch == null) {
            throw new DatasetFormatException(file, "has no " + name);
        }
        return batch;
    }

    /** Reads records as they arrive: a count that is not whole fails naming the file. */
    private static Batch batch(Path file, String entry, InputStream in, int labelBytes, int labelAt,
            int maxClasses) throws IOException {
        int recordSize = labelBytes + IMAGE;
        GrowableBytes pixels = new GrowableBytes(file, entry);
        int[] labels = new int[1024];
        int count = 0;
        byte[] record = new byte[recordSize];
        while (true) {
            int n = in.readNBytes(record, 0, recordSize);
            if (n == 0) {
                break;
            }
            if (n < recordSize) {
                throw new DatasetFormatException(file, entry + ": holds " + ((long) count * recordSize + n)
                        + " bytes, not a whole number of " + recordSize + "-byte "
                        + (labelBytes == 1 ? "CIFAR-10" : "CIFAR-100") + " records (truncated?)");
            }
            if (count == labels.length) {
                labels = Arrays.copyOf(labels, 2 * count);
            }
            labels[count] = ClassLabels.check(file, record[labelAt] & 0xFF, maxClasses,
                    entry + ": record " + count + "'s label");
            pixels.append(record, labelBytes, IMAGE);
            count++;
        }
        if (count == 0) {
            throw new DatasetFormatException(file, entry + ": holds no records");
        }
        return new Batch(entry, pixels.toArray(), Arrays.copyOf(labels, count));
    }

    private static Examples concatenate(String split, List<Batch> batches) {
        if (batches.size() == 1) {
            Batch only = batches.get(0);
            return new Examples(split, InputShape.image(3, 32, 32), new ExampleValues.UnsignedBytes(only.pixels()),
                    only.labels());
        }
        int count = batches.stream().mapToInt(b -> b.labels().length).sum();
        byte[] pixels = new byte[Math.multiplyExact(count, IMAGE)];
        int[] labels = new int[count];
        int at = 0;
        for (Batch batch : batches) {
            System.arraycopy(batch.pixels(), 0, pixels, at * IMAGE, batch.pixels().length);
            System.arraycopy(batch.labels(), 0, labels, at, batch.labels().length);
            at += batch.labels().length;
        }
        return new Examples(split, InputShape.image(3, 32, 32), new ExampleValues.UnsignedBytes(pixels), labels);
    }

    /** One name per non-blank line. */
    private static List<String> names(Path file, String entry, InputStream in) throws IOException {
        byte[] bytes = in.readNBytes(MAX_NAMES_BYTES + 1);
        if (bytes.length > MAX_NAMES_BYTES) {
            throw new DatasetFormatException(file, entry + ": a class names file of more than " + MAX_NAMES_BYTES
                    + " bytes is implausible");
        }
        return new String(bytes, StandardCharsets.UTF_8).lines().map(String::strip).filter(s -> !s.isEmpty())
                .toList();
    }
}
