package io.l0sparsify.e2e;

import static org.assertj.core.api.Assertions.assertThat;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import com.jayway.jsonpath.JsonPath;
import io.l0sparsify.dataset.TestDatasets;
import io.l0sparsify.testing.Mnist;
import java.awt.Color;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.FloatBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import javax.imageio.ImageIO;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.json.JsonMapper;

/**
 * One whole job per upload format over real HTTP: upload the file as a user would (the bytes numpy, pandas, the
 * CIFAR authors' layout or an image folder give), train briefly on {@code dataset:ID}, download model.onnx and
 * evaluate it with ONNX Runtime on the test examples read here, independently of the service's readers, with
 * only the preprocessing the model's metadata records. Its accuracy must be the one the job reported. Training sets
 * are capped to a seeded draw of 600 examples; test sets are whole, so the test can evaluate exactly them.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "l0.datasets.max-train-examples=600", "l0.datasets.max-test-examples=0",
        "l0.worker.progress-every-steps=5", "l0.worker.device=cpu",
        "l0.worker.latency.warmup-runs=1", "l0.worker.latency.runs=2", "l0.worker.poll-interval=PT0.2S",
        "l0.api.events-poll-interval=PT0.1S"})
class DatasetFormatsEndToEndTest {

    private static final Path DATASETS = TestDatasets.withMnist();
    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(5);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @DynamicPropertySource
    static void paths(DynamicPropertyRegistry registry) {
        Path base = DATASETS.getParent();
        registry.add("spring.datasource.url", () -> "jdbc:h2:file:" + base.resolve("db/formats") + ";DB_CLOSE_ON_EXIT=FALSE");
        registry.add("l0.datasets.dir", DATASETS::toString);
        registry.add("l0.datasets.cache-dir", () -> base.resolve("cache").toString());
        registry.add("l0.datasets.upload.dir", () -> base.resolve("uploads").toString());
        registry.add("l0.storage.dir", () -> base.resolve("artifacts").toString());
    }

    @LocalServerPort
    int port;

    ContractHttp http;

    @BeforeEach
    void setUp() {
        http = new ContractHttp(port);
    }

    /** Test examples as raw values in channel-first order, one row per example, with their labels. */
    record RawExamples(float[][] values, int[] labels) {}

    @Test
    void numpyImagesChannelsLastTrainAConvNet() throws Exception {
        String id = upload(resource("colours.npz"), "name=colours&format=npz&filename=colours.npz");
        ContractHttp.Response dataset = http.get("/v1/datasets/" + id);
        assertThat(read(dataset, "$.summary.inputShape").toString()).isEqualTo("[3,8,8]");
        String job = submit(id, "[3, 8, 8]", """
                [{"type": "conv2d", "filters": 6, "kernel": 3, "padding": 1}, {"type": "relu"},
                 {"type": "maxpool", "size": 2}, {"type": "flatten"}, {"type": "dense", "units": 3}]""", 8, "");
        byte[] x = resource("colours_test_x.raw");
        byte[] y = resource("colours_test_y.raw");
        float[][] values = new float[y.length][];
        for (int n = 0; n < y.length; n++) {
            values[n] = channelsFirst(x, n * 8 * 8 * 3, 8, 8, 3);
        }
        int[] labels = new int[y.length];
        for (int n = 0; n < y.length; n++) {
            labels[n] = y[n];
        }
        assertReportedAccuracy(job, new RawExamples(values, labels), 0.9);
    }

    @Test
    void pandasCsvWithStringClassesIsSplitByTheServiceAndStandardised() throws Exception {
        byte[] csv = resource("blobs.csv");
        String id = upload(csv, "name=species&format=csv&labelColumn=species&filename=blobs.csv");
        String job = submit(id, "[4]", """
                [{"type": "dense", "units": 16}, {"type": "relu"}, {"type": "dense", "units": 3}]""", 10,
                ", \"testFraction\": 0.25, \"standardize\": true");
        ContractHttp.Response result = http.get("/v1/jobs/" + job + "/result");
        assertThat(result.status()).isEqualTo(200);
        Map<String, Object> split = JsonPath.read(result.text(), "$.dataset.split");
        assertThat(split).containsEntry("origin", "held-out").containsEntry("testFraction", 0.25);
        int test = ((Number) split.get("testExamples")).intValue();
        // a quarter of each class, rounded per class
        assertThat(test + ((Number) split.get("trainExamples")).intValue()).isEqualTo(240);
        assertThat(test).isBetween(57, 63);
        byte[] model = http.get("/v1/jobs/" + job + "/artifacts/model.onnx").body();
        assertThat(metadata(model).get("l0.class_names")).isEqualTo("[\"alpha\",\"beta\",\"gamma\"]");
        // The held-out rows are the service's choice; every row of the table must still be classified well
        // through nothing but the recorded standardisation.
        List<String> lines = new String(csv, StandardCharsets.UTF_8).lines().skip(1).toList();
        float[][] values = new float[lines.size()][4];
        int[] labels = new int[lines.size()];
        List<String> names = List.of("alpha", "beta", "gamma");
        for (int r = 0; r < lines.size(); r++) {
            String[] cells = lines.get(r).split(",");
            for (int c = 0; c < 4; c++) {
                values[r][c] = Float.parseFloat(cells[c]);
            }
            labels[r] = names.indexOf(cells[4]);
        }
        assertThat(onnxAccuracy(model, new RawExamples(values, labels))).isGreaterThan(0.9);
    }

    @Test
    void idxFilesInAZipTrainAnMlp() throws Exception {
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        try (ZipOutputStream out = new ZipOutputStream(zip)) {
            for (String name : List.of("train-images-idx3-ubyte", "train-labels-idx1-ubyte", "t10k-images-idx3-ubyte",
                    "t10k-labels-idx1-ubyte")) {
                out.putNextEntry(new ZipEntry("mnist/" + name + ".gz"));
                Files.copy(Mnist.directory().resolve(name + ".gz"), out);
                out.closeEntry();
            }
        }
        String id = upload(zip.toByteArray(), "name=mnist-zip&format=idx&filename=mnist.zip");
        String job = submit(id, "[784]", """
                [{"type": "dense", "units": 64}, {"type": "relu"}, {"type": "dense", "units": 10}]""", 2, "");
        byte[] images = gunzip(Mnist.directory().resolve("t10k-images-idx3-ubyte.gz"));
        byte[] labelBytes = gunzip(Mnist.directory().resolve("t10k-labels-idx1-ubyte.gz"));
        int count = 10_000; // the whole test split (only the training examples are capped, to a seeded draw)
        float[][] values = new float[count][784];
        int[] labels = new int[count];
        for (int n = 0; n < count; n++) {
            for (int i = 0; i < 784; i++) {
                values[n][i] = images[16 + n * 784 + i] & 0xFF;
            }
            labels[n] = labelBytes[8 + n];
        }
        assertReportedAccuracy(job, new RawExamples(values, labels), 0.6);
    }

    @Test
    void cifarBinaryTarGzAsItsAuthorsShipItTrainsOnThreeChannels() throws Exception {
        Random random = new Random(3);
        ByteArrayOutputStream tarGz = new ByteArrayOutputStream();
        List<byte[]> testRecords = new ArrayList<>();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(new GzipCompressorOutputStream(tarGz))) {
            String meta = String.join("\n", "red", "green", "blue", "") + "\n";
            entry(tar, "cifar-10-batches-bin/batches.meta.txt", meta.getBytes(StandardCharsets.US_ASCII));
            for (int batch = 1; batch <= 5; batch++) {
                entry(tar, "cifar-10-batches-bin/data_batch_" + batch + ".bin", cifarRecords(random, 40, null));
            }
            byte[] test = cifarRecords(random, 60, testRecords);
            entry(tar, "cifar-10-batches-bin/test_batch.bin", test);
        }
        String id = upload(tarGz.toByteArray(), "name=cifar-colours&format=cifar&filename=cifar-10-binary.tar.gz");
        ContractHttp.Response dataset = http.get("/v1/datasets/" + id);
        assertThat(read(dataset, "$.summary.inputShape").toString()).isEqualTo("[3,32,32]");
        String job = submit(id, "[3, 32, 32]", """
                [{"type": "conv2d", "filters": 4, "kernel": 5, "stride": 2}, {"type": "relu"},
                 {"type": "maxpool", "size": 2}, {"type": "flatten"}, {"type": "dense", "units": 3}]""", 6, "");
        float[][] values = new float[testRecords.size()][3072];
        int[] labels = new int[testRecords.size()];
        for (int n = 0; n < testRecords.size(); n++) {
            byte[] record = testRecords.get(n);
            labels[n] = record[0];
            for (int i = 0; i < 3072; i++) {
                values[n][i] = record[1 + i] & 0xFF; // the authors' layout is already R, G, B planes
            }
        }
        assertReportedAccuracy(job, new RawExamples(values, labels), 0.9);
    }

    @Test
    void imageFolderOfPngAndJpegFilesIsResizedAndHeldOut() throws Exception {
        Random random = new Random(5);
        ByteArrayOutputStream zip = new ByteArrayOutputStream();
        List<String> classes = List.of("blue", "green", "red");
        try (ZipOutputStream out = new ZipOutputStream(zip)) {
            for (int n = 0; n < 90; n++) {
                int label = n % 3;
                BufferedImage image = new BufferedImage(16, 16, BufferedImage.TYPE_INT_RGB);
                for (int yy = 0; yy < 16; yy++) {
                    for (int xx = 0; xx < 16; xx++) {
                        int[] rgb = {60 + random.nextInt(60), 60 + random.nextInt(60), 60 + random.nextInt(60)};
                        rgb[2 - label] += 120; // blue is channel 2, green 1, red 0
                        image.setRGB(xx, yy, new Color(rgb[0], rgb[1], rgb[2]).getRGB());
                    }
                }
                String kind = n % 2 == 0 ? "png" : "jpg";
                ByteArrayOutputStream file = new ByteArrayOutputStream();
                assertThat(ImageIO.write(image, kind, file)).isTrue();
                out.putNextEntry(new ZipEntry("colours/" + classes.get(label) + "/img" + n + "." + kind));
                out.write(file.toByteArray());
                out.closeEntry();
            }
        }
        String id = upload(zip.toByteArray(),
                "name=folders&format=image-folder&height=8&width=8&colour=RGB&filename=colours.zip");
        ContractHttp.Response dataset = http.get("/v1/datasets/" + id);
        assertThat(read(dataset, "$.summary.inputShape").toString()).isEqualTo("[3,8,8]");
        assertThat(read(dataset, "$.summary.classes[*].name").toString()).isEqualTo("[\"blue\",\"green\",\"red\"]");
        String job = submit(id, "[3, 8, 8]", """
                [{"type": "conv2d", "filters": 4, "kernel": 3, "padding": 1}, {"type": "relu"},
                 {"type": "flatten"}, {"type": "dense", "units": 3}]""", 8, ", \"testFraction\": 0.3");
        ContractHttp.Response result = http.get("/v1/jobs/" + job + "/result");
        assertThat(read(result, "$.dataset.split.origin")).isEqualTo("held-out");
        assertThat(Double.parseDouble(read(result, "$.testError").toString())).isLessThan(0.2);
    }

    private String upload(byte[] body, String query) throws Exception {
        ContractHttp.Response response = http.postBinary("/v1/datasets?wait=true&" + query, body);
        assertThat(response.status()).as(response.text()).isEqualTo(201);
        assertThat(read(response, "$.state")).isEqualTo("READY");
        return read(response, "$.id").toString();
    }

    /** Submits a job on {@code dataset:ID} and waits for it to succeed; returns its id. */
    private String submit(String datasetId, String inputShape, String layers, int epochs, String datasetOptions)
            throws Exception {
        String body = """
                {"name": "formats", "model": {"inputShape": %s, "layers": %s},
                 "dataset": {"uri": "dataset:%s"%s},
                 "training": {"epochs": %d, "batchSize": 20, "learningRate": 0.01, "ema": 0, "seed": 11,
                 "device": "cpu", "maxRuntime": "PT5M"}}""".formatted(inputShape, layers, datasetId,
                datasetOptions, epochs);
        ContractHttp.Response submitted = http.post("/v1/jobs", body);
        assertThat(submitted.status()).as(submitted.text()).isEqualTo(202);
        String id = read(submitted, "$.id").toString();
        ContractHttp.Response done = JobPolling.awaitState(http, id, JOB_TIMEOUT, JobPolling.FINAL_STATES);
        assertThat(read(done, "$.state")).as(done.text()).isEqualTo("SUCCEEDED");
        return id;
    }

    /**
     * The downloaded model's accuracy on {@code test}, preprocessed only as its metadata says, equals the
     * accuracy the job reported (one example may differ where two logits tie within rounding), and is at least
     * {@code atLeast}.
     */
    private void assertReportedAccuracy(String job, RawExamples test, double atLeast) throws Exception {
        ContractHttp.Response result = http.get("/v1/jobs/" + job + "/result");
        assertThat(result.status()).isEqualTo(200);
        double reported = 1 - Double.parseDouble(read(result, "$.testError").toString());
        byte[] model = http.get("/v1/jobs/" + job + "/artifacts/model.onnx").body();
        double measured = onnxAccuracy(model, test);
        assertThat(measured).isCloseTo(reported, org.assertj.core.data.Offset.offset(1.0 / test.labels().length + 1e-9));
        assertThat(measured).isGreaterThanOrEqualTo(atLeast);
    }

    private static double onnxAccuracy(byte[] model, RawExamples test) throws OrtException {
        OrtEnvironment env = OrtEnvironment.getEnvironment();
        try (OrtSession session = env.createSession(model, new OrtSession.SessionOptions())) {
            Map<String, String> meta = session.getMetadata().getCustomMetadata();
            double scale = Double.parseDouble(meta.get("l0.preprocessing.scale"));
            double[] mean = JSON.readValue(meta.get("l0.preprocessing.mean"), double[].class);
            double[] std = JSON.readValue(meta.get("l0.preprocessing.std"), double[].class);
            long[] shape = JSON.readValue(meta.get("l0.input_shape"), long[].class);
            int size = test.values()[0].length;
            int perChannel = size / mean.length;
            int correct = 0;
            for (int n = 0; n < test.labels().length; n++) {
                float[] x = new float[size];
                for (int i = 0; i < size; i++) {
                    int c = i / perChannel;
                    x[i] = (float) ((test.values()[n][i] * scale - mean[c]) / std[c]);
                }
                long[] dims = new long[shape.length + 1];
                dims[0] = 1;
                System.arraycopy(shape, 0, dims, 1, shape.length);
                try (OnnxTensor input = OnnxTensor.createTensor(env, FloatBuffer.wrap(x), dims);
                        OrtSession.Result out = session.run(Map.of(session.getInputNames().iterator().next(), input))) {
                    float[] logits = ((float[][]) out.get(0).getValue())[0];
                    int best = 0;
                    for (int k = 1; k < logits.length; k++) {
                        if (logits[k] > logits[best]) {
                            best = k;
                        }
                    }
                    correct += best == test.labels()[n] ? 1 : 0;
                }
            }
            return (double) correct / test.labels().length;
        }
    }

    private static Map<String, String> metadata(byte[] model) throws OrtException {
        try (OrtSession session = OrtEnvironment.getEnvironment().createSession(model, new OrtSession.SessionOptions())) {
            return session.getMetadata().getCustomMetadata();
        }
    }

    /** One NHWC image from {@code offset} of {@code x}, reordered channel-first. */
    private static float[] channelsFirst(byte[] x, int offset, int height, int width, int channels) {
        float[] out = new float[channels * height * width];
        for (int h = 0; h < height; h++) {
            for (int w = 0; w < width; w++) {
                for (int c = 0; c < channels; c++) {
                    out[c * height * width + h * width + w] = x[offset + (h * width + w) * channels + c] & 0xFF;
                }
            }
        }
        return out;
    }

    /** CIFAR-10 records (a label byte, then 1024 red, 1024 green, 1024 blue bytes) of dominant-colour images. */
    private static byte[] cifarRecords(Random random, int count, List<byte[]> keep) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (int n = 0; n < count; n++) {
            byte[] record = new byte[3073];
            int label = random.nextInt(3);
            record[0] = (byte) label;
            for (int c = 0; c < 3; c++) {
                for (int i = 0; i < 1024; i++) {
                    record[1 + c * 1024 + i] = (byte) (50 + random.nextInt(70) + (c == label ? 100 : 0));
                }
            }
            out.writeBytes(record);
            if (keep != null) {
                keep.add(record);
            }
        }
        return out.toByteArray();
    }

    private static void entry(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
        TarArchiveEntry entry = new TarArchiveEntry(name);
        entry.setSize(content.length);
        tar.putArchiveEntry(entry);
        tar.write(content);
        tar.closeArchiveEntry();
    }

    private static byte[] gunzip(Path file) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            return in.readAllBytes();
        }
    }

    private static byte[] resource(String name) {
        try (InputStream in = DatasetFormatsEndToEndTest.class.getResourceAsStream("/e2e/" + name)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource e2e/" + name);
            }
            return in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static Object read(ContractHttp.Response response, String path) {
        return JsonPath.read(response.text(), path);
    }
}
