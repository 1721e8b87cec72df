package io.l0sparsify.dataset.format;

import io.l0sparsify.dataset.DatasetFormat;
import io.l0sparsify.dataset.DatasetFormat.Colour;
import io.l0sparsify.dataset.DatasetFormatException;
import io.l0sparsify.dataset.ExampleValues;
import io.l0sparsify.dataset.Examples;
import io.l0sparsify.dataset.InputShape;
import io.l0sparsify.dataset.LabelledDataset;
import io.l0sparsify.dataset.LabelledDataset.Splits;
import java.awt.Image;
import java.awt.image.BufferedImage;
import java.awt.image.ColorModel;
import java.awt.image.IndexColorModel;
import java.awt.image.Raster;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import javax.imageio.ImageIO;
import javax.imageio.ImageReader;
import javax.imageio.stream.ImageInputStream;
import javax.imageio.stream.MemoryCacheImageInputStream;

/**
 * Reads a zip (or tar, tar.gz) of one folder per class holding PNG or JPEG files, under one top folder or not;
 * or, where the top level holds exactly the folders {@code train} and {@code test}, one folder per class in
 * each (the dataset's own split). Class names are the folder names, sorted ({@link String#compareTo}); files
 * whose names do not end in {@code .png}, {@code .jpg} or {@code .jpeg} are passed over.
 *
 * <p>Each image is decoded with ImageIO, its colour taken as 8-bit sRGB (an alpha channel is dropped, 16-bit
 * samples scaled to 8 bits, a grayscale image's gray level kept as is), resized to the options' height × width
 * with the JDK's area-averaging filter ({@link Image#SCALE_AREA_AVERAGING}: each output pixel the mean of the
 * source pixels it covers, the box filter that downscales without aliasing and needs no extra library), and
 * for {@link Colour#GRAYSCALE} turned to luma {@code L = (299 R + 587 G + 114 B) / 1000} (ITU-R 601-2, as
 * Pillow's {@code convert("L")} computes it). Examples are {@code [C, H, W]} unsigned bytes.
 *
 * <p>An image's pixel count is read from its header and checked against the data limit before it is decoded,
 * so a small file that decodes to gigapixels is refused unread.
 */
final class ImageFolderReader {

    /** The largest side an example may be resized to. */
    static final int MAX_SIDE = 4096;

    /** One decoded, resized image. */
    private record Picture(String split, String className, byte[] values) {}

    private ImageFolderReader() {}

    static LabelledDataset read(Path file, DatasetFormat.ImageFolder options, ExpansionBudget budget) {
        int height = options.height();
        int width = options.width();
        if (height < 1 || width < 1 || height > MAX_SIDE || width > MAX_SIDE) {
            throw new DatasetFormatException(file, "the options height and width must be 1 to " + MAX_SIDE
                    + ", not " + height + " and " + width);
        }
        Colour colour = options.colour() == null ? Colour.RGB : options.colour();
        List<String> paths = new ArrayList<>();
        List<byte[]> decoded = new ArrayList<>();
        Archive.forEachEntry(file, Archive.ANY, "image-folder", budget, (name, in) -> {
            if (!isImage(name)) {
                return;
            }
            paths.add(name);
            decoded.add(decode(file, name, in, width, height, colour, budget.limits().maxExpandedBytes()));
        });
        if (paths.isEmpty()) {
            throw new DatasetFormatException(file, "holds no .png, .jpg or .jpeg files");
        }
        List<String[]> parts = paths.stream().map(p -> p.split("/")).toList();
        // one top folder around everything is not a level of the dataset
        String top = parts.get(0)[0];
        boolean wrapped = parts.stream().allMatch(p -> p.length >= 3 && p[0].equals(top));
        int from = wrapped ? 1 : 0;
        boolean given = parts.stream().allMatch(p -> p.length - from == 3
                && (p[from].equals("train") || p[from].equals("test")));
        List<Picture> pictures = new ArrayList<>();
        for (int i = 0; i < parts.size(); i++) {
            String[] p = parts.get(i);
            int depth = p.length - from;
            if (given) {
                pictures.add(new Picture(p[from], p[from + 1], decoded.get(i)));
            } else if (depth == 2) {
                pictures.add(new Picture("all", p[from], decoded.get(i)));
            } else {
                throw new DatasetFormatException(file, paths.get(i) + ": images must lie in one folder per class"
                        + (depth < 2 ? " (this one has no class folder)" : " (this one is nested deeper)")
                        + ", or in train/CLASS/ and test/CLASS/");
            }
        }
        TreeSet<String> sorted = new TreeSet<>();
        pictures.forEach(p -> sorted.add(p.className()));
        List<String> classNames = List.copyOf(sorted);
        if (classNames.size() > budget.limits().maxClasses()) {
            throw new DatasetFormatException(file, "has " + classNames.size() + " class folders, more than the limit"
                    + " of " + budget.limits().maxClasses());
        }
        InputShape shape = InputShape.image(colour == Colour.RGB ? 3 : 1, height, width);
        if (given) {
            Examples train = examples("train", shape, pictures, classNames);
            Examples test = examples("test", shape, pictures, classNames);
            if (train.size() == 0 || test.size() == 0) {
                throw new DatasetFormatException(file, "has no images under " + (train.size() == 0 ? "train/"
                        : "test/"));
            }
            return new LabelledDataset(shape, classNames, new Splits.Given(train, test));
        }
        return new LabelledDataset(shape, classNames, new Splits.Unsplit(examples("all", shape, pictures,
                classNames)));
    }

    private static Examples examples(String split, InputShape shape, List<Picture> pictures,
            List<String> classNames) {
        List<Picture> mine = pictures.stream().filter(p -> p.split().equals(split)).toList();
        byte[] values = new byte[Math.multiplyExact(mine.size(), shape.size())];
        int[] labels = new int[mine.size()];
        for (int i = 0; i < mine.size(); i++) {
            System.arraycopy(mine.get(i).values(), 0, values, i * shape.size(), shape.size());
            labels[i] = classNames.indexOf(mine.get(i).className());
        }
        return new Examples(split, shape, new ExampleValues.UnsignedBytes(values), labels);
    }

    private static boolean isImage(String name) {
        String lower = Archive.baseName(name).toLowerCase(Locale.ROOT);
        return lower.endsWith(".png") || lower.endsWith(".jpg") || lower.endsWith(".jpeg");
    }

    /** Decodes, converts and resizes one image into channel-first bytes. */
    static byte[] decode(Path file, String entry, InputStream in, int width, int height, Colour colour,
            long maxBytes) throws IOException {
        BufferedImage image;
        try (ImageInputStream stream = new MemoryCacheImageInputStream(in)) {
            Iterator<ImageReader> readers = ImageIO.getImageReaders(stream);
            if (!readers.hasNext()) {
                throw new DatasetFormatException(file, entry + ": not an image ImageIO can decode (PNG or JPEG)");
            }
            ImageReader reader = readers.next();
            try {
                reader.setInput(stream, true, true);
                long pixels = (long) reader.getWidth(0) * reader.getHeight(0);
                if (pixels * 4 > maxBytes || pixels > NpyArray.MAX_ARRAY / 4) {
                    throw new DatasetFormatException(file, entry + ": an image of " + reader.getWidth(0) + "x"
                            + reader.getHeight(0) + " pixels is larger than the limit of " + maxBytes
                            + " bytes of data");
                }
                image = reader.read(0);
            } catch (IOException | RuntimeException e) {
                if (e instanceof DatasetFormatException known) {
                    throw known;
                }
                throw new DatasetFormatException(file, entry + ": cannot be decoded as an image ("
                        + Archive.reason(e, file) + ")", e);
            } finally {
                reader.dispose();
            }
        }
        BufferedImage rgb = toRgb(image);
        BufferedImage resized = rgb;
        if (rgb.getWidth() != width || rgb.getHeight() != height) {
            resized = new BufferedImage(width, height, BufferedImage.TYPE_INT_RGB);
            Image scaled = rgb.getScaledInstance(width, height, Image.SCALE_AREA_AVERAGING);
            var graphics = resized.createGraphics();
            try {
                graphics.drawImage(scaled, 0, 0, null);
            } finally {
                graphics.dispose();
            }
        }
        int plane = width * height;
        byte[] out = new byte[(colour == Colour.RGB ? 3 : 1) * plane];
        int[] argb = resized.getRGB(0, 0, width, height, null, 0, width);
        for (int i = 0; i < plane; i++) {
            int r = (argb[i] >> 16) & 0xFF;
            int g = (argb[i] >> 8) & 0xFF;
            int b = argb[i] & 0xFF;
            if (colour == Colour.RGB) {
                out[i] = (byte) r;
                out[plane + i] = (byte) g;
                out[2 * plane + i] = (byte) b;
            } else {
                out[i] = (byte) ((299 * r + 587 * g + 114 * b + 500) / 1000);
            }
        }
        return out;
    }

    /**
     * The image as 8-bit sRGB without alpha. Samples are read from the raster where the colour model is gray or
     * sRGB: {@link BufferedImage#getRGB} would treat a gray PNG's levels as linear light and brighten them.
     */
    private static BufferedImage toRgb(BufferedImage image) {
        int w = image.getWidth();
        int h = image.getHeight();
        BufferedImage out = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
        ColorModel model = image.getColorModel();
        Raster raster = image.getRaster();
        int components = model.getNumColorComponents();
        boolean direct = !(model instanceof IndexColorModel)
                && (components == 1 || (components == 3 && model.getColorSpace().isCS_sRGB()));
        if (!direct) {
            int[] argb = image.getRGB(0, 0, w, h, null, 0, w);
            out.setRGB(0, 0, w, h, argb, 0, w);
            return out;
        }
        int[] row = new int[w];
        int[] samples = new int[w];
        for (int y = 0; y < h; y++) {
            for (int x = 0; x < w; x++) {
                row[x] = 0;
            }
            for (int c = 0; c < 3; c++) {
                int band = components == 1 ? 0 : c;
                int bits = model.getComponentSize(band);
                raster.getSamples(0, y, w, 1, band, samples);
                for (int x = 0; x < w; x++) {
                    int v = bits == 8 ? samples[x] : (int) Math.round(samples[x] * 255.0 / ((1L << bits) - 1));
                    row[x] |= (v & 0xFF) << (16 - 8 * c);
                }
            }
            out.setRGB(0, y, w, 1, row, 0, w);
        }
        return out;
    }
}
