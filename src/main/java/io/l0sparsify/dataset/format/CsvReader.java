package io.l0sparsify.dataset.format;

import io.l0sparsify.dataset.DatasetFormatException;
import io.l0sparsify.dataset.ExampleValues;
import io.l0sparsify.dataset.Examples;
import io.l0sparsify.dataset.InputShape;
import io.l0sparsify.dataset.LabelledDataset;
import io.l0sparsify.dataset.LabelledDataset.Splits;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import org.apache.commons.csv.CSVFormat;
import org.apache.commons.csv.CSVParser;
import org.apache.commons.csv.CSVRecord;

/**
 * Reads a CSV table (Apache Commons CSV, RFC 4180: quoted fields, doubled quotes, CRLF or LF) in UTF-8 with or
 * without a byte-order mark: a header row, then one example per row. The column named by the {@code
 * labelColumn} option holds the labels; every other column is a feature and must hold a finite decimal number
 * in every row. Blank lines are passed over.
 *
 * <p>Labels that are all decimal numbers are class indices: whole, ≥ 0, below the limit of classes, named "0"
 * to the largest. Otherwise every distinct label (surrounding spaces trimmed) is a class name, and classes are
 * numbered in the sorted order of their names (by Unicode code units, as {@link String#compareTo} orders): the
 * order of the rows does not change which index a class gets.
 *
 * <p>Rows are numbered as a spreadsheet numbers them, the header being row 1; columns by their header and
 * their spreadsheet letter.
 */
final class CsvReader {

    /** A decimal number as spreadsheets and pandas write one: no hex, no NaN or Infinity, no type suffix. */
    private static final Pattern NUMBER = Pattern.compile("[+-]?(\\d+\\.?\\d*|\\.\\d+)([eE][+-]?\\d+)?");

    private CsvReader() {}

    static LabelledDataset read(Path file, String labelColumn, ExpansionBudget budget) {
        try (InputStream raw = Files.newInputStream(file);
                BufferedReader reader = new BufferedReader(new InputStreamReader(budget.count(raw),
                        StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                                .onUnmappableCharacter(CodingErrorAction.REPORT)), 1 << 16)) {
            reader.mark(1);
            if (reader.read() != '\uFEFF') {
                reader.reset();
            }
            CSVParser parser = CSVFormat.RFC4180.builder().setIgnoreEmptyLines(false).get().parse(reader);
            return read(file, labelColumn, parser, budget.limits().maxClasses());
        } catch (NoSuchFileException e) {
            throw new DatasetFormatException(file, "not found");
        } catch (CharacterCodingException e) {
            throw new DatasetFormatException(file, "is not UTF-8 text", e);
        } catch (UncheckedIOException e) {
            if (e.getCause() instanceof CharacterCodingException) {
                throw new DatasetFormatException(file, "is not UTF-8 text", e);
            }
            throw new DatasetFormatException(file, "is not a readable CSV table: "
                    + Archive.reason(e.getCause(), file), e);
        } catch (IOException e) {
            throw new DatasetFormatException(file, "is not a readable CSV table: " + Archive.reason(e, file), e);
        }
    }

    private static LabelledDataset read(Path file, String labelColumn, CSVParser parser, int maxClasses) {
        var records = parser.iterator();
        List<String> header = null;
        while (records.hasNext() && header == null) {
            CSVRecord first = records.next();
            if (!isBlank(first)) {
                header = first.toList().stream().map(String::strip).toList();
            }
        }
        if (header == null) {
            throw new DatasetFormatException(file, "is empty: a CSV dataset needs a header row and example rows");
        }
        if (labelColumn == null || labelColumn.isBlank()) {
            throw new DatasetFormatException(file, "needs the option labelColumn naming its label column; its"
                    + " columns are: " + String.join(", ", header));
        }
        int labelAt = header.indexOf(labelColumn.strip());
        if (labelAt < 0) {
            throw new DatasetFormatException(file, "has no column named '" + labelColumn + "' (the labelColumn"
                    + " option); its columns are: " + String.join(", ", header));
        }
        Set<String> distinctHeaders = new HashSet<>();
        for (int c = 0; c < header.size(); c++) {
            if (!distinctHeaders.add(header.get(c))) {
                throw new DatasetFormatException(file, "row 1 names the column '" + header.get(c) + "' twice ("
                        + column(c) + ")");
            }
        }
        int features = header.size() - 1;
        if (features == 0) {
            throw new DatasetFormatException(file, "has only the label column '" + labelColumn
                    + "': it needs at least one feature column");
        }
        float[] values = new float[Math.multiplyExact(features, 256)];
        int rows = 0;
        // each distinct label text gets a provisional id in order of appearance; the row it first appears on
        // is kept for messages
        Map<String, Integer> labelIds = new HashMap<>();
        List<String> labelTexts = new ArrayList<>();
        List<Long> firstRows = new ArrayList<>();
        int[] provisional = new int[256];
        while (records.hasNext()) {
            CSVRecord record = records.next();
            if (isBlank(record)) {
                continue;
            }
            long row = record.getRecordNumber();
            if (record.size() != header.size()) {
                throw new DatasetFormatException(file, "row " + row + " has " + record.size() + " fields but the"
                        + " header has " + header.size());
            }
            if ((long) (rows + 1) * features > NpyArray.MAX_ARRAY) {
                throw new DatasetFormatException(file, "row " + row + ": more values than one array holds");
            }
            if ((rows + 1) * features > values.length) {
                values = Arrays.copyOf(values, (int) Math.min(NpyArray.MAX_ARRAY, 2L * values.length));
            }
            if (rows == provisional.length) {
                provisional = Arrays.copyOf(provisional, 2 * rows);
            }
            int at = rows * features;
            for (int c = 0; c < header.size(); c++) {
                String text = record.get(c).strip();
                if (c == labelAt) {
                    if (text.isEmpty()) {
                        throw new DatasetFormatException(file, "row " + row + ", " + named(header, c)
                                + ": the label is empty");
                    }
                    Integer id = labelIds.get(text);
                    if (id == null) {
                        if (labelIds.size() == maxClasses) {
                            throw new DatasetFormatException(file, "row " + row + ", " + named(header, c) + ": '"
                                    + Archive.printable(text) + "' is a label beyond the limit of " + maxClasses
                                    + " distinct classes");
                        }
                        id = labelIds.size();
                        labelIds.put(text, id);
                        labelTexts.add(text);
                        firstRows.add(row);
                    }
                    provisional[rows] = id;
                } else {
                    values[at++] = feature(file, text, row, header, c);
                }
            }
            rows++;
        }
        if (rows == 0) {
            throw new DatasetFormatException(file, "has a header but no example rows");
        }
        boolean numeric = labelTexts.stream().allMatch(t -> NUMBER.matcher(t).matches());
        int[] classOf = new int[labelTexts.size()];
        List<String> classNames = new ArrayList<>();
        if (numeric) {
            int bound = 0;
            for (int id = 0; id < classOf.length; id++) {
                classOf[id] = ClassLabels.check(file, Double.parseDouble(labelTexts.get(id)), maxClasses,
                        "row " + firstRows.get(id) + ", " + named(header, labelAt));
                bound = Math.max(bound, classOf[id] + 1);
            }
            for (int i = 0; i < bound; i++) {
                classNames.add(Integer.toString(i));
            }
        } else {
            classNames.addAll(labelTexts);
            classNames.sort(String::compareTo);
            for (int id = 0; id < classOf.length; id++) {
                classOf[id] = classNames.indexOf(labelTexts.get(id));
            }
        }
        int[] labels = new int[rows];
        for (int i = 0; i < rows; i++) {
            labels[i] = classOf[provisional[i]];
        }
        InputShape shape = InputShape.features(features);
        Examples all = new Examples("all", shape, new ExampleValues.Floats(Arrays.copyOf(values, rows * features)),
                labels);
        return new LabelledDataset(shape, classNames, new Splits.Unsplit(all));
    }

    private static float feature(Path file, String text, long row, List<String> header, int c) {
        if (!NUMBER.matcher(text).matches()) {
            String what = text.isEmpty() ? "is empty" : "'" + Archive.printable(text) + "' is not a number";
            throw new DatasetFormatException(file, "row " + row + ", " + named(header, c) + ": " + what
                    + "; features must be finite decimal numbers");
        }
        float value = Float.parseFloat(text);
        if (!Float.isFinite(value)) {
            throw new DatasetFormatException(file, "row " + row + ", " + named(header, c) + ": " + text
                    + " is beyond the range of float32");
        }
        return value;
    }

    private static boolean isBlank(CSVRecord record) {
        return record.size() == 1 && record.get(0).isBlank();
    }

    private static String named(List<String> header, int c) {
        return "column '" + header.get(c) + "' (" + column(c) + ")";
    }

    /** A spreadsheet's column letters: A … Z, AA, AB, … */
    static String column(int index) {
        StringBuilder letters = new StringBuilder();
        for (int i = index + 1; i > 0; i = (i - 1) / 26) {
            letters.insert(0, (char) ('A' + (i - 1) % 26));
        }
        return letters.toString();
    }
}
