package io.l0sparsify.dataset.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.l0sparsify.dataset.DatasetFormat;
import io.l0sparsify.dataset.DatasetFormatException;
import io.l0sparsify.dataset.ExampleValues;
import io.l0sparsify.dataset.IngestLimits;
import io.l0sparsify.dataset.LabelledDataset;
import io.l0sparsify.dataset.LabelledDataset.Splits;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CsvReaderTest {

    @TempDir
    Path dir;

    @Test
    void pandasTableWithBomCrlfAndQuotedStringLabelsKeepsClassNamesSorted() {
        LabelledDataset data = Fixtures.read(new DatasetFormat.Csv("species"), "csv/species_bom_crlf.csv");
        Fixtures.assertMatchesNumpy(data, "csv/species_bom_crlf.csv");
        // the quoted field with a comma is one name; sorted by code units, so upper case and 'Ñ' order as here
        assertThat(data.classNames()).containsExactly("setosa", "versicolor, var. b", "virginica", "Ñandú");
    }

    @Test
    void numericLabelsAreClassIndicesAndATrailingEmptyLineIsPassedOver() {
        LabelledDataset data = Fixtures.read(new DatasetFormat.Csv("label"), "csv/numeric_labels.csv");
        Fixtures.assertMatchesNumpy(data, "csv/numeric_labels.csv");
        assertThat(data.classNames()).containsExactly("0", "1", "2", "3");
    }

    @Test
    void stringClassIndicesDoNotDependOnRowOrder() throws IOException {
        LabelledDataset one = read("a,label\n1,dog\n2,cat\n3,emu\n", "label");
        LabelledDataset other = read("a,label\n3,emu\n2,cat\n1,dog\n", "label");
        assertThat(one.classNames()).containsExactly("cat", "dog", "emu").isEqualTo(other.classNames());
        assertThat(((Splits.Unsplit) one.splits()).all().labels()).containsExactly(1, 0, 2);
        assertThat(((Splits.Unsplit) other.splits()).all().labels()).containsExactly(2, 0, 1);
    }

    @Test
    void aQuotedFieldOverTwoLinesIsOneRowSoLaterRowsKeepTheirSpreadsheetNumbers() throws IOException {
        assertFails("x,label\r\n1,\"two\r\nlines\"\r\nabc,b\r\n", "label",
                "row 3, column 'x' (A): 'abc' is not a number");
    }

    @Test
    void missingLabelColumnIsRefusedListingTheHeaders() throws IOException {
        assertFails("a,b,c\n1,2,3\n", "target", "has no column named 'target'", "its columns are: a, b, c");
    }

    @Test
    void labelColumnOptionIsRequired() throws IOException {
        assertFails("a,b,c\n1,2,3\n", null, "needs the option labelColumn", "a, b, c");
    }

    @Test
    void raggedRowsAreRefusedNamingTheRow() throws IOException {
        assertFails("a,b,label\n1,2,x\n3,y\n", "label", "row 3 has 2 fields but the header has 3");
    }

    @Test
    void nonNumericEmptyAndNonFiniteFeaturesAreRefusedNamingRowAndColumn() throws IOException {
        assertFails("a,b,label\n1,2,x\n3,four,y\n", "label", "row 3, column 'b' (B): 'four' is not a number");
        assertFails("a,b,label\n1,,x\n", "label", "row 2, column 'b' (B): is empty");
        assertFails("a,b,label\n1,NaN,x\n", "label", "row 2, column 'b' (B): 'NaN' is not a number");
        assertFails("a,b,label\ninf,1,x\n", "label", "row 2, column 'a' (A): 'inf' is not a number");
        assertFails("a,b,label\n1e39,1,x\n", "label", "row 2, column 'a' (A): 1e39 is beyond the range");
    }

    @Test
    void negativeFractionalAndHugeNumericLabelsAreRefusedNamingTheRow() throws IOException {
        assertFails("a,label\n1,0\n2,-1\n", "label", "row 3, column 'label' (B) = -1", "class index of 0 or more");
        assertFails("a,label\n1,0\n2,1.5\n", "label", "row 3, column 'label' (B) = 1.5", "whole number");
        assertFails("a,label\n1,0\n2,5000\n", "label", "row 3, column 'label' (B) = 5000", "at most 1000 classes");
    }

    @Test
    void moreDistinctLabelsThanTheLimitAreRefused() throws IOException {
        Path file = Files.writeString(dir.resolve("t.csv"), "a,label\n1,x\n2,y\n3,z\n");
        assertThatThrownBy(() -> DatasetReaders.read(new DatasetFormat.Csv("label"), file,
                new IngestLimits(1 << 20, 100, 2)))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessage("t.csv: row 4, column 'label' (B): 'z' is a label beyond the limit of 2 distinct classes");
    }

    @Test
    void aHeaderWithoutRowsHasZeroExamples() throws IOException {
        assertFails("a,label\r\n", "label", "has a header but no example rows");
        assertFails("", "label", "is empty");
    }

    @Test
    void textThatIsNotUtf8IsRefused() throws IOException {
        Path file = dir.resolve("t.csv");
        Files.write(file, new byte[] {'a', ',', 'l', '\n', '1', ',', (byte) 0xC3, (byte) 0x28, '\n'});
        assertThatThrownBy(() -> DatasetReaders.read(new DatasetFormat.Csv("l"), file, Fixtures.LIMITS))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessage("t.csv: is not UTF-8 text");
    }

    @Test
    void featuresAreFloatsInColumnOrderWithoutTheLabel() throws IOException {
        LabelledDataset data = read("\uFEFFx,label,y\r\n1.5,b,-2\r\n\"3\",a,4e1\r\n\r\n", "label");
        var all = ((Splits.Unsplit) data.splits()).all();
        assertThat(((ExampleValues.Floats) all.values()).values()).containsExactly(1.5f, -2f, 3f, 40f);
        assertThat(all.labels()).containsExactly(1, 0);
    }

    @Test
    void columnLettersFollowSpreadsheets() {
        assertThat(CsvReader.column(0)).isEqualTo("A");
        assertThat(CsvReader.column(25)).isEqualTo("Z");
        assertThat(CsvReader.column(26)).isEqualTo("AA");
        assertThat(CsvReader.column(701)).isEqualTo("ZZ");
        assertThat(CsvReader.column(702)).isEqualTo("AAA");
    }

    private LabelledDataset read(String text, String labelColumn) throws IOException {
        Path file = dir.resolve("t.csv");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        return DatasetReaders.read(new DatasetFormat.Csv(labelColumn), file, Fixtures.LIMITS);
    }

    private void assertFails(String text, String labelColumn, String... fragments) throws IOException {
        Path file = dir.resolve("bad.csv");
        Files.writeString(file, text, StandardCharsets.UTF_8);
        var thrown = assertThatThrownBy(() -> DatasetReaders.read(new DatasetFormat.Csv(labelColumn), file,
                Fixtures.LIMITS))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessageStartingWith("bad.csv: ");
        for (String fragment : fragments) {
            thrown.hasMessageContaining(fragment);
        }
    }
}
