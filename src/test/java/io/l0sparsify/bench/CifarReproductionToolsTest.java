package io.l0sparsify.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.l0sparsify.dataset.DatasetFormat;
import io.l0sparsify.dataset.DatasetProperties;
import io.l0sparsify.dataset.Examples;
import io.l0sparsify.dataset.LabelledDataset;
import io.l0sparsify.dataset.Preprocessing;
import io.l0sparsify.dataset.format.DatasetReaders;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/** The synthetic CIFAR-10 file the service's reader accepts, and the reproduction report's numbers. */
class CifarReproductionToolsTest {

    @TempDir
    Path dir;

    @Test
    void theSyntheticFileIsReadByTheServicesCifarReaderWithBalancedClassesAndStripes() throws Exception {
        Path file = dir.resolve("cifar-10-binary.tar.gz");
        SyntheticCifar10.write(file, 23, 10, new Random(3), SyntheticCifar10.STRIPES, SyntheticCifar10.STRIPE_CLASSES);

        LabelledDataset dataset = DatasetReaders.read(new DatasetFormat.Cifar(null), file,
                DatasetProperties.of(dir, List.of(dir)).ingestLimits());

        assertThat(dataset.shape().dims()).containsExactly(3, 32, 32);
        assertThat(dataset.classNames()).containsExactly(SyntheticCifar10.STRIPE_CLASSES);
        LabelledDataset.Splits.Given splits = (LabelledDataset.Splits.Given) dataset.splits();
        // 23 records over five batches of 5, 5, 5, 5, 3, labels cycling 0…9 in each
        assertThat(splits.train().size()).isEqualTo(23);
        assertThat(splits.test().classCounts(10)).containsOnly(1);
        // a horizontal grating of period 4 (class 0) varies down the rows, a vertical one (class 1) along them
        assertThat(variation(splits.test(), 0, true)).isGreaterThan(2 * variation(splits.test(), 0, false));
        assertThat(variation(splits.test(), 1, false)).isGreaterThan(2 * variation(splits.test(), 1, true));
    }

    /** Mean absolute difference of neighbouring pixels of the red channel down the columns or along the rows. */
    private static double variation(Examples examples, int example, boolean down) {
        float[] x = new float[3 * 32 * 32];
        examples.copyInto(example, Preprocessing.scaleOnly(1, 3), x, 0);
        double sum = 0;
        for (int y = 0; y < 31; y++) {
            for (int c = 0; c < 31; c++) {
                sum += Math.abs(down ? x[(y + 1) * 32 + c] - x[y * 32 + c] : x[y * 32 + c + 1] - x[y * 32 + c]);
            }
        }
        return sum / (31 * 31);
    }

    @Test
    void theReportTakesTheFinalAndTheBestEpochsErrorBesideThePapers() {
        List<Cifar10ReproductionReport.Epoch> epochs = Cifar10ReproductionReport.epochs(List.of(
                "epoch,step,train_loss,penalty,test_error,expected_l0,expected_flops,kept_units,elapsed_seconds,"
                        + "examples_per_second,rss_megabytes,budget_metric,budget_target,budget_current_target,"
                        + "budget_expected,budget_deterministic,budget_lambda1,budget_lambda2,learning_rate",
                "1,391,1.2,0.01,0.30,1000,800.0,5-5,100.0,500.0,2000.0,,,,,,,,0.1",
                "2,782,0.8,0.01,0.20,900,600.0,5-4,200.0,520.0,2100.0,,,,,,,,0.1",
                "3,1173,0.7,0.01,0.25,850,500.0,4-4,300.0,510.0,2050.0,,,,,,,,0.02"));
        JsonNode result = JsonMapper.builder().build().readTree("""
                {"jobId": "j", "preset": "wrn-28-10", "device": "gpu:0", "architecture": "4-4",
                 "testError": 0.26, "gatedTestError": 0.25, "epochsCompleted": 3, "trainingSeconds": 300.0,
                 "parameters": {"dense": 100, "pruned": 60}, "flops": {"dense": 1000, "pruned": 450},
                 "dataset": {"trainExamples": 50000, "testExamples": 10000},
                 "training": {"epochs": 3, "lambda": 0.001}}""");

        Map<String, Object> report = Cifar10ReproductionReport.report(result, epochs, "cmd", null);

        assertThat(report).containsEntry("finalTestErrorPercent", 26.0).containsEntry("bestEpoch", 2)
                .containsEntry("bestTestErrorPercent", 20.0).containsEntry("paperTestErrorPercent", 3.83)
                .containsEntry("expectedFlopsFractionLastEpoch", 0.5).containsEntry("examplesPerSecond", 510L)
                .containsEntry("peakRssMbPerEpochs", 2100.0);
        assertThat(epochs.get(2).expectedFlops()).isEqualTo(500.0);
    }
}
