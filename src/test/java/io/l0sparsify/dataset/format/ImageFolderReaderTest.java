package io.l0sparsify.dataset.format;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.l0sparsify.dataset.DatasetFormat;
import io.l0sparsify.dataset.DatasetFormat.Colour;
import io.l0sparsify.dataset.DatasetFormatException;
import io.l0sparsify.dataset.ExampleValues;
import io.l0sparsify.dataset.Examples;
import io.l0sparsify.dataset.IngestLimits;
import io.l0sparsify.dataset.LabelledDataset;
import io.l0sparsify.dataset.LabelledDataset.Splits;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.zip.CRC32;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFolderReaderTest {

    private static final int RED = 0xFF0000;
    private static final int GREEN = 0x00FF00;
    private static final int BLUE = 0x0000FF;
    private static final int GREY = 0x646464;

    @TempDir
    Path dir;

    @Test
    void classFoldersUnderATopFolderBecomeSortedClassesOfChannelFirstBytes() throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("pets/dogs/a.png", png(quadrants(RED, GREEN, BLUE, GREY)));
        files.put("pets/cats/b.PNG", png(solid(2, 2, BLUE)));
        files.put("pets/README.txt", "not an image".getBytes(StandardCharsets.UTF_8));
        files.put("__MACOSX/pets/dogs/._a.png", new byte[] {1, 2, 3});
        LabelledDataset data = read(files, new DatasetFormat.ImageFolder(2, 2, Colour.RGB));
        assertThat(data.classNames()).containsExactly("cats", "dogs");
        assertThat(data.shape().dims()).containsExactly(3, 2, 2);
        Examples all = ((Splits.Unsplit) data.splits()).all();
        assertThat(all.labels()).containsExactly(1, 0);
        // each 2×2 quadrant of the 4×4 dog averages to its own colour: R plane, G plane, B plane
        assertThat(bytes(all, 0)).containsExactly(255, 0, 0, 100, 0, 255, 0, 100, 0, 0, 255, 100);
        assertThat(bytes(all, 1)).containsExactly(0, 0, 0, 0, 0, 0, 0, 0, 255, 255, 255, 255);
    }

    @Test
    void downscalingAveragesTheAreaEachPixelCovers() throws IOException {
        // a 2×1 image of black and white becomes one mid-grey pixel
        BufferedImage image = new BufferedImage(2, 1, BufferedImage.TYPE_INT_RGB);
        image.setRGB(1, 0, 0xFFFFFF);
        LabelledDataset data = read(Map.of("a/x.png", png(image), "b/y.png", png(image)),
                new DatasetFormat.ImageFolder(1, 1, Colour.RGB));
        int value = bytes(((Splits.Unsplit) data.splits()).all(), 0)[0];
        assertThat(value).isBetween(127, 128);
    }

    @Test
    void grayscaleIsLumaAndAGrayPngKeepsItsLevels() throws IOException {
        BufferedImage gray = new BufferedImage(2, 2, BufferedImage.TYPE_BYTE_GRAY);
        gray.getRaster().setSample(0, 0, 0, 128);
        gray.getRaster().setSample(1, 1, 0, 37);
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("gray/g.png", png(gray));
        files.put("red/r.png", png(solid(2, 2, RED)));
        LabelledDataset data = read(files, new DatasetFormat.ImageFolder(2, 2, Colour.GRAYSCALE));
        Examples all = ((Splits.Unsplit) data.splits()).all();
        assertThat(data.shape().dims()).containsExactly(1, 2, 2);
        assertThat(bytes(all, 0)).containsExactly(128, 0, 0, 37);
        // L = (299·255 + 500) / 1000 = 76
        assertThat(bytes(all, 1)).containsExactly(76, 76, 76, 76);
    }

    @Test
    void jpegFilesDecodeAndUpscale() throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("a/one.jpg", jpeg(solid(8, 8, GREY)));
        files.put("b/two.jpeg", jpeg(solid(8, 8, GREY)));
        LabelledDataset data = read(files, new DatasetFormat.ImageFolder(16, 12, Colour.RGB));
        Examples all = ((Splits.Unsplit) data.splits()).all();
        assertThat(data.shape().dims()).containsExactly(3, 16, 12);
        for (int v : bytes(all, 1)) {
            assertThat(v).isBetween(96, 104); // JPEG is lossy, but not by much on a flat grey
        }
    }

    @Test
    void topLevelTrainAndTestFoldersAreTheSplit() throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("train/cat/1.png", png(solid(3, 3, RED)));
        files.put("train/dog/2.png", png(solid(3, 3, GREEN)));
        files.put("test/dog/3.png", png(solid(3, 3, BLUE)));
        LabelledDataset data = read(files, new DatasetFormat.ImageFolder(3, 3, Colour.RGB));
        assertThat(data.splits()).isInstanceOf(Splits.Given.class);
        Splits.Given given = (Splits.Given) data.splits();
        assertThat(given.train().labels()).containsExactly(0, 1);
        assertThat(given.test().labels()).containsExactly(1);
        assertThat(data.classNames()).containsExactly("cat", "dog");
    }

    @Test
    void anUndecodableFileIsRefusedNamingIt() throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("cats/ok.png", png(solid(2, 2, RED)));
        files.put("cats/broken.png", "this is no PNG".getBytes(StandardCharsets.UTF_8));
        assertThatThrownBy(() -> read(files, new DatasetFormat.ImageFolder(2, 2, Colour.RGB)))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessage("images.zip: cats/broken.png: not an image ImageIO can decode (PNG or JPEG)");
        byte[] cut = png(solid(20, 20, RED));
        files.put("cats/broken.png", java.util.Arrays.copyOf(cut, cut.length / 2));
        assertThatThrownBy(() -> read(files, new DatasetFormat.ImageFolder(2, 2, Colour.RGB)))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessageStartingWith("images.zip: cats/broken.png: cannot be decoded as an image");
    }

    @Test
    void anImageOutsideAClassFolderIsRefused() throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("cats/ok.png", png(solid(2, 2, RED)));
        files.put("stray.png", png(solid(2, 2, RED)));
        assertThatThrownBy(() -> read(files, new DatasetFormat.ImageFolder(2, 2, Colour.RGB)))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessageStartingWith("images.zip: stray.png: images must lie in one folder per class");
    }

    @Test
    void anImageWhoseHeaderPromisesGigapixelsIsRefusedUndecoded() throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        files.put("a/ok.png", png(solid(2, 2, RED)));
        files.put("b/huge.png", pngHeaderOnly(100_000, 100_000));
        assertThatThrownBy(() -> read(files, new DatasetFormat.ImageFolder(2, 2, Colour.RGB)))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessageStartingWith("images.zip: b/huge.png: an image of 100000x100000 pixels is larger than"
                        + " the limit");
    }

    @Test
    void moreClassFoldersThanTheLimitAreRefused() throws IOException {
        Map<String, byte[]> files = new LinkedHashMap<>();
        for (String c : new String[] {"a", "b", "c"}) {
            files.put(c + "/x.png", png(solid(1, 1, RED)));
        }
        Path zip = TestArchives.zip(dir.resolve("images.zip"), files);
        assertThatThrownBy(() -> DatasetReaders.read(new DatasetFormat.ImageFolder(1, 1, Colour.RGB), zip,
                new IngestLimits(1 << 20, 100, 2)))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessage("images.zip: has 3 class folders, more than the limit of 2");
    }

    @Test
    void sizeOptionsOutOfRangeAreRefused() throws IOException {
        assertThatThrownBy(() -> read(Map.of("a/x.png", png(solid(1, 1, RED))),
                new DatasetFormat.ImageFolder(0, 5, Colour.RGB)))
                .isInstanceOf(DatasetFormatException.class)
                .hasMessageContaining("the options height and width must be 1 to 4096");
    }

    private LabelledDataset read(Map<String, byte[]> files, DatasetFormat.ImageFolder format) throws IOException {
        Path zip = TestArchives.zip(dir.resolve("images.zip"), files);
        return DatasetReaders.read(format, zip, Fixtures.LIMITS);
    }

    private static int[] bytes(Examples examples, int example) {
        byte[] all = ((ExampleValues.UnsignedBytes) examples.values()).values();
        int size = examples.shape().size();
        int[] out = new int[size];
        for (int i = 0; i < size; i++) {
            out[i] = all[example * size + i] & 0xFF;
        }
        return out;
    }

    private static BufferedImage solid(int w, int h, int rgb) {
        BufferedImage image = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                image.setRGB(x, y, rgb);
            }
        }
        return image;
    }

    /** A 4×4 image whose 2×2 quadrants are, row by row, the four colours. */
    private static BufferedImage quadrants(int topLeft, int topRight, int bottomLeft, int bottomRight) {
        BufferedImage image = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
        for (int y = 0; y < 4; y++) {
            for (int x = 0; x < 4; x++) {
                image.setRGB(x, y, y < 2 ? (x < 2 ? topLeft : topRight) : (x < 2 ? bottomLeft : bottomRight));
            }
        }
        return image;
    }

    private static byte[] png(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(image, "png", out)).isTrue();
        return out.toByteArray();
    }

    private static byte[] jpeg(BufferedImage image) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        assertThat(ImageIO.write(image, "jpeg", out)).isTrue();
        return out.toByteArray();
    }

    /** A PNG signature and an IHDR chunk claiming the size, and nothing more. */
    private static byte[] pngHeaderOnly(int width, int height) {
        ByteBuffer ihdr = ByteBuffer.allocate(17);
        ihdr.put("IHDR".getBytes(StandardCharsets.US_ASCII)).putInt(width).putInt(height)
                .put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
        CRC32 crc = new CRC32();
        crc.update(ihdr.array());
        ByteBuffer png = ByteBuffer.allocate(8 + 4 + 17 + 4);
        png.put(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n'}).putInt(13).put(ihdr.array())
                .putInt((int) crc.getValue());
        return png.array();
    }
}
