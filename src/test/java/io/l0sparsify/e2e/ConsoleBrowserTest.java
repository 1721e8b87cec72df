package io.l0sparsify.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.jayway.jsonpath.JsonPath;
import io.l0sparsify.dataset.TestDatasets;
import io.l0sparsify.testing.TestKeys;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.logging.Level;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;
import org.openqa.selenium.support.ui.Select;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/**
 * The web console in a real browser (Debian's Chromium through its chromedriver, headless) against the service with
 * real training: a small job submitted from the form runs to 100 %, its charts are drawn from real points, its
 * model.onnx downloads byte for byte, another job is cancelled from the jobs list, a dataset is uploaded through the
 * page, a failed job's error reads in words, field errors of the API appear beside their fields, a service that
 * requires an API key gets it as a Bearer header on every request (the event stream and downloads included), and no
 * page logs an error in the browser's console.
 *
 * <p>Skipped, saying why ({@link BrowserPresent}), where Chromium or chromedriver is missing ({@code .ci/run}
 * installs both). Run with {@code -Dconsole.screenshots=docs/console} ({@code scripts/console-screenshots}) it also saves the screenshots shown in the
 * README.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT, properties = {
        "l0.datasets.max-train-examples=600", "l0.datasets.max-test-examples=200",
        "l0.worker.progress-every-steps=2", "l0.worker.device=cpu",
        "l0.worker.latency.warmup-runs=2", "l0.worker.latency.runs=5", "l0.worker.poll-interval=PT0.2S",
        "l0.api.events-poll-interval=PT0.1S"})
@ExtendWith(ConsoleBrowserTest.BrowserPresent.class)
class ConsoleBrowserTest {

    private static final Path DATASETS = TestDatasets.withMnist();
    private static final Path CHROMIUM = Path.of(System.getProperty("console.chromium", "/usr/bin/chromium"));
    private static final Path CHROMEDRIVER = Path.of(System.getProperty("console.chromedriver", "/usr/bin/chromedriver"));
    private static final String SCREENSHOTS = System.getProperty("console.screenshots", "");
    private static final Duration JOB_TIMEOUT = Duration.ofMinutes(4);


    @DynamicPropertySource
    static void paths(DynamicPropertyRegistry registry) {
        Path base = DATASETS.getParent();
        registry.add("spring.datasource.url", () -> "jdbc:h2:file:" + base.resolve("db/console") + ";DB_CLOSE_ON_EXIT=FALSE");
        registry.add("l0.datasets.dir", DATASETS::toString);
        registry.add("l0.storage.dir", () -> base.resolve("artifacts").toString());
    }

    /** Skips the class, saying why, before the service starts, where there is no browser to drive. */
    static final class BrowserPresent implements ExecutionCondition {
        @Override
        public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
            if (Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER)) {
                return ConditionEvaluationResult.enabled("Chromium and chromedriver are installed");
            }
            return ConditionEvaluationResult.disabled("the console's browser tests need Chromium at " + CHROMIUM
                    + " and chromedriver at " + CHROMEDRIVER + " (Debian: apt-get install chromium chromium-driver;"
                    + " elsewhere: -Dconsole.chromium=PATH -Dconsole.chromedriver=PATH)");
        }
    }

    /** The test suite's admin key (test configuration), which the page is given as a user would type it. */
    private static final String KEY = TestKeys.ADMIN;

    /** Whether the next {@link #open} first puts the key where the console keeps it; a test of the prompt clears it. */
    private boolean keyBeforeOpening = true;

    @LocalServerPort
    int port;

    ContractHttp http;
    WebDriver driver;
    Path downloads;

    @BeforeEach
    void openBrowser() throws Exception {
        http = new ContractHttp(port);
        Path scratch = Files.createDirectories(Path.of("target", "console-browser")).toAbsolutePath();
        downloads = Files.createTempDirectory(scratch, "downloads");
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync",
                "--disable-dev-shm-usage", "--window-size=1280,1100",
                "--user-data-dir=" + Files.createTempDirectory(scratch, "profile"));
        options.setExperimentalOption("prefs", Map.of("download.default_directory", downloads.toString(),
                "download.prompt_for_download", false));
        LoggingPreferences logs = new LoggingPreferences();
        logs.enable(LogType.BROWSER, Level.ALL);
        options.setCapability("goog:loggingPrefs", logs);
        // the system's driver, so Selenium never looks for (or downloads) one of its own; quit() stops it
        System.setProperty("webdriver.chrome.driver", CHROMEDRIVER.toString());
        ChromeDriverService service = new ChromeDriverService.Builder().usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort().build();
        driver = new ChromeDriver(service, options);
        driver.manage().timeouts().scriptTimeout(Duration.ofSeconds(30));
    }

    @AfterEach
    void closeBrowser() throws Exception {
        // a test that failed half-way leaves no long job to hold the worker for the next one
        for (String state : List.of("RUNNING", "QUEUED")) {
            List<String> ids = JsonPath.read(http.get("/v1/jobs?state=" + state + "&pageSize=100").text(), "$.items[*].id");
            for (String id : ids) {
                http.post("/v1/jobs/" + id + "/cancel", null);
            }
        }
        if (driver != null) {
            driver.quit();
        }
    }

    private static final String TINY_MLP = """
            {"inputShape": [784], "layers": [{"type": "dense", "units": 32}, {"type": "relu"},
             {"type": "dense", "units": 10}]}""";

    @Test
    void jobSubmittedFromTheFormRunsToItsChartsAndItsModelDownloads() throws Exception {
        open("#/jobs");
        await().atMost(Duration.ofSeconds(30)).until(() -> !driver.findElements(By.cssSelector("#jobs tbody tr")).isEmpty());
        assertNoConsoleErrors("the jobs list");

        driver.findElement(By.cssSelector("[data-nav=submit]")).click();
        WebElement form = awaitElement(By.id("submit-form"));
        form.findElement(By.cssSelector("input[name=model-kind][value=spec]")).click();
        setValue(By.id("spec"), TINY_MLP);
        new Select(driver.findElement(By.id("dataset"))).selectByValue("builtin:mnist");
        int epochs = SCREENSHOTS.isEmpty() ? 3 : 12;
        setValue(By.id("name"), "console-mlp");
        setValue(By.id("epochs"), Integer.toString(epochs));
        setValue(By.id("batch-size"), "50");
        setValue(By.id("learning-rate"), "0.01");
        // a FLOPs budget: the page then also draws the budget's curves
        form.findElement(By.cssSelector("input[name=sparsity][value=target]")).click();
        setValue(By.id("target"), "0.3");
        setValue(By.id("device"), "cpu");
        assertNoConsoleErrors("the submit form");
        driver.findElement(By.id("submit")).click();

        await().atMost(Duration.ofSeconds(20)).until(() -> driver.getCurrentUrl().matches(".*#/jobs/[0-9a-f-]{36}$"));
        String id = driver.getCurrentUrl().replaceAll(".*#/jobs/", "");
        // the page follows the event stream: the bar reaches 100 % and the state SUCCEEDED without a reload
        await("the job page's progress bar at 100 %").atMost(JOB_TIMEOUT).pollInterval(Duration.ofMillis(200))
                .until(() -> "100".equals(attribute(By.cssSelector("#job-status [role=progressbar]"), "aria-valuenow"))
                        && "SUCCEEDED".equals(attribute(By.cssSelector("h1 .state"), "data-state")));

        // curves from metrics.csv: one point per epoch for the loss, the error and each expected size
        awaitPoints("chart-loss", epochs);
        awaitPoints("chart-error", epochs);
        awaitPoints("chart-size", 2 * epochs);
        awaitPoints("chart-budget", 4 * epochs);
        ContractHttp.Response result = http.get("/v1/jobs/" + id + "/result");
        List<Integer> original = JsonPath.read(result.text(), "$.layers[*].originalUnits");
        // bars: original and kept units of the two dense layers
        awaitPoints("chart-layers", 2 * original.size());
        // the histogram counts every gate of the gated-model.params artifact: one per original unit
        await().atMost(Duration.ofSeconds(30)).until(() -> attribute(By.id("chart-gates"), "data-gates") != null);
        assertThat(Integer.parseInt(attribute(By.id("chart-gates"), "data-gates")))
                .isEqualTo(original.stream().mapToInt(Integer::intValue).sum());
        for (String chart : List.of("chart-loss", "chart-error", "chart-size", "chart-budget", "chart-layers",
                "chart-gates")) {
            assertThat(inkedPixels(chart)).as("pixels drawn by the plot of " + chart).isGreaterThan(50);
        }
        assertThat(driver.findElement(By.id("result-facts")).getText())
                .contains(JsonPath.<String>read(result.text(), "$.architecture"));

        List<String> listed = driver.findElements(By.cssSelector("#artifact-list [data-artifact]")).stream()
                .map(a -> a.getAttribute("data-artifact")).toList();
        assertThat(listed).contains("model.onnx", "training.svg", "layers.svg", "metrics.csv", "gated-model.params");
        screenshot("job.png", 2300);
        assertNoConsoleErrors("the job page");

        driver.findElement(By.cssSelector("[data-artifact='model.onnx']")).click();
        Path model = downloads.resolve("model.onnx");
        await("model.onnx in the download folder").atMost(Duration.ofSeconds(30))
                .until(() -> Files.exists(model) && !partialDownloads());
        List<Map<String, Object>> items = JsonPath.read(http.get("/v1/jobs/" + id + "/artifacts").text(), "$.items");
        Map<String, Object> onnx = items.stream().filter(i -> i.get("name").equals("model.onnx")).findFirst().orElseThrow();
        assertThat(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(model))))
                .isEqualTo(onnx.get("sha256"));

        // another job, long enough to be cancelled from the list
        String other = JsonPath.read(http.post("/v1/jobs", """
                {"name": "to-cancel", "model": %s, "dataset": {"uri": "builtin:mnist"},
                 "training": {"epochs": 500, "batchSize": 50, "device": "cpu"}}""".formatted(TINY_MLP)).text(), "$.id");
        // while it runs, its page draws the curves and the kept units from the event stream
        open("#/jobs/" + other);
        awaitPoints("chart-loss", 2);
        awaitPoints("chart-layers", 4);
        assertThat(inkedPixels("chart-loss")).isGreaterThan(50);
        assertNoConsoleErrors("a running job's page");
        open("#/jobs");
        By cancel = By.cssSelector("tr[data-job='" + other + "'] [data-action=cancel]");
        await().atMost(Duration.ofSeconds(30)).until(() -> !driver.findElements(cancel).isEmpty());
        if (!SCREENSHOTS.isEmpty()) {
            await().atMost(JOB_TIMEOUT).until(() -> {
                String done = attribute(By.cssSelector("tr[data-job='" + other + "'] [role=progressbar]"),
                        "aria-valuenow");
                return done != null && Integer.parseInt(done) >= 3;
            });
            screenshot("jobs.png", 700);
        }
        clickWhenPresent(cancel);
        await("the cancelled job's row").atMost(Duration.ofSeconds(60)).until(() -> "CANCELLED".equals(attribute(
                By.cssSelector("tr[data-job='" + other + "'] .state"), "data-state")));
        assertThat(JsonPath.<String>read(http.get("/v1/jobs/" + other).text(), "$.state")).isEqualTo("CANCELLED");
        new Select(driver.findElement(By.id("state-filter"))).selectByValue("CANCELLED");
        // read in one script: the list redraws itself every two seconds
        await("only CANCELLED jobs listed, the cancelled one among them").atMost(Duration.ofSeconds(10)).until(() -> {
            List<?> rows = (List<?>) ((JavascriptExecutor) driver).executeScript("return [...document.querySelectorAll("
                    + "'#jobs tr[data-job]')].map(r => r.dataset.job + ' ' + r.querySelector('.state').dataset.state);");
            return driver.getCurrentUrl().endsWith("?state=CANCELLED") && rows.contains(other + " CANCELLED")
                    && rows.stream().allMatch(r -> r.toString().endsWith(" CANCELLED"));
        });
        assertNoConsoleErrors("the jobs list after a cancel");
    }

    @Test
    void withKeysRequiredThePageAsksForOneAndSendsItWithEveryRequestStreamAndDownload() throws Exception {
        String done = JsonPath.read(http.post("/v1/jobs", """
                {"name": "keyed", "model": %s, "dataset": {"uri": "builtin:mnist"},
                 "training": {"epochs": 1, "batchSize": 50, "learningRate": 0.01, "device": "cpu"}}"""
                .formatted(TINY_MLP)).text(), "$.id");
        JobPolling.awaitState(http, done, JOB_TIMEOUT, List.of("SUCCEEDED"));
        String running = JsonPath.read(http.post("/v1/jobs", """
                {"name": "keyed-long", "model": %s, "dataset": {"uri": "builtin:mnist"},
                 "training": {"epochs": 500, "batchSize": 50, "device": "cpu"}}""".formatted(TINY_MLP)).text(), "$.id");
        keyBeforeOpening = false;

        open("#/jobs/" + done);
        await("the request for a key").atMost(Duration.ofSeconds(20)).until(() -> driver.findElement(By.id("auth")).isDisplayed());
        driver.findElement(By.id("api-key")).sendKeys(KEY);
        driver.findElement(By.cssSelector("#key-form button")).click();
        // the job's page, its artifacts and the gate probabilities read with the key
        await().atMost(Duration.ofSeconds(30)).until(() -> attribute(By.id("chart-gates"), "data-gates") != null);
        awaitPoints("chart-loss", 1);
        assertThat(driver.findElement(By.id("auth")).isDisplayed()).isFalse();
        driver.findElement(By.cssSelector("[data-artifact='model.onnx']")).click();
        Path model = downloads.resolve("model.onnx");
        await("model.onnx downloaded with the key").atMost(Duration.ofSeconds(30))
                .until(() -> Files.exists(model) && !partialDownloads());
        assertThat(Files.size(model)).isPositive();
        // the event stream of a running job, read with fetch and the key
        open("#/jobs/" + running);
        awaitPoints("chart-loss", 2);
        clickWhenPresent("h1 [data-action=cancel]");
        await("the cancel, sent with the key").atMost(Duration.ofSeconds(60)).until(() -> "CANCELLED".equals(
                attribute(By.cssSelector("h1 .state"), "data-state")));
        // the refused requests before the key was entered are the only errors
        assertNoConsoleErrors("pages with a key", "status of 401");
    }

    @Test
    void sweepSubmittedFromTheFormShowsItsAccuracyAgainstSizeWithTheSelectedPoint() throws Exception {
        open("#/submit");
        WebElement form = awaitElement(By.id("submit-form"));
        form.findElement(By.cssSelector("input[name=model-kind][value=spec]")).click();
        setValue(By.id("spec"), TINY_MLP);
        form.findElement(By.cssSelector("input[name=sparsity][value=sweep]")).click();
        setValue(By.id("sweep-targets"), "0.25, 0.5");
        setValue(By.id("name"), "console-sweep");
        setValue(By.id("epochs"), "2");
        setValue(By.id("batch-size"), "50");
        setValue(By.id("learning-rate"), "0.01");
        driver.findElement(By.id("submit")).click();
        await().atMost(Duration.ofSeconds(20)).until(() -> driver.getCurrentUrl().matches(".*#/jobs/[0-9a-f-]{36}$"));
        String id = driver.getCurrentUrl().replaceAll(".*#/jobs/", "");
        await("the sweep to succeed").atMost(JOB_TIMEOUT).pollInterval(Duration.ofMillis(200))
                .until(() -> "SUCCEEDED".equals(attribute(By.cssSelector("h1 .state"), "data-state")));
        // two points, and the selected one drawn again as its own series
        awaitPoints("chart-pareto", 3);
        assertThat(inkedPixels("chart-pareto")).isGreaterThan(20);
        int selected = JsonPath.read(http.get("/v1/jobs/" + id + "/artifacts/pareto.json").text(), "$.selectedPoint");
        assertThat(driver.findElement(By.id("sweep")).getText()).contains("Selected: point " + selected);
        assertThat(driver.findElements(By.cssSelector("#artifact-list [data-artifact]")).stream()
                .map(a -> a.getAttribute("data-artifact")).toList())
                .contains("pareto.svg", "points-0-training.svg", "points-1-layers.svg");
        assertNoConsoleErrors("a sweep's page");
    }

    @Test
    void uploadedDatasetFailedJobAndFieldErrorsAppearInThePages() throws Exception {
        open("#/datasets");
        awaitElement(By.id("dataset-upload"));
        Path csv = Path.of("src/test/resources/e2e/blobs.csv").toAbsolutePath();
        driver.findElement(By.id("dataset-file")).sendKeys(csv.toString());
        setValue(By.id("dataset-name"), "blobs");
        new Select(driver.findElement(By.id("format"))).selectByValue("csv");
        setValue(By.id("opt-labelColumn"), "species");
        driver.findElement(By.cssSelector("#dataset-upload button[type=submit]")).click();
        await("the dataset page, READY").atMost(Duration.ofSeconds(60)).until(() -> driver.getCurrentUrl().contains("#/datasets/")
                && "READY".equals(attribute(By.cssSelector("h1 .state"), "data-state")));
        // blobs.csv: 240 rows of three species
        assertThat(driver.findElements(By.cssSelector("#classes tbody tr")))
                .as(driver.findElement(By.tagName("main")).getText()).hasSize(3);
        assertThat(driver.findElement(By.tagName("main")).getText()).contains("[4]", "all: 240");
        assertNoConsoleErrors("the dataset pages");

        // a job that fails (a GPU this machine lacks) shows its error in words beside the service's message
        String failed = JsonPath.read(http.post("/v1/jobs", """
                {"name": "no-gpu", "model": %s, "dataset": {"uri": "builtin:mnist"},
                 "training": {"epochs": 1, "device": "gpu:7"}}""".formatted(TINY_MLP)).text(), "$.id");
        JobPolling.awaitState(http, failed, JOB_TIMEOUT, List.of("FAILED"));
        String message = JsonPath.read(http.get("/v1/jobs/" + failed).text(), "$.error.message");
        open("#/jobs/" + failed);
        WebElement error = awaitElement(By.id("job-error"));
        assertThat(error.getText()).contains("The device it asked for does not exist on the worker.", message,
                "device_unavailable");
        assertNoConsoleErrors("a failed job's page");

        open("#/models");
        awaitElement(By.id("model-upload"));
        assertNoConsoleErrors("the models page");

        open("#/submit");
        awaitElement(By.id("submit-form"));
        setValue(By.id("epochs"), "0");
        setValue(By.id("learning-rate"), "-1");
        driver.findElement(By.id("submit")).click();
        WebElement epochsError = awaitElement(By.cssSelector(".field-error[data-error-for='training.epochs']"));
        // beside its field: the element right after the epochs input
        assertThat(driver.findElement(By.cssSelector("#epochs + .field-error")).getText()).isEqualTo(epochsError.getText());
        assertThat(driver.findElement(By.cssSelector("#learning-rate + .field-error")).getText())
                .startsWith("training.learningRate");
        // the refused request is the one error the browser reports (a 422 answer), and nothing else
        assertNoConsoleErrors("the submit form with field errors", "status of 422");
    }

    // ------------------------------------------------------------------------------------------------ helpers

    private void open(String hash) {
        if (keyBeforeOpening) {
            // the console keeps the key in the tab's session storage (console/api.js); one of its own files gives
            // the origin to store it under before the first page asks the API for anything
            driver.get("http://localhost:" + port + "/console/style.css");
            ((JavascriptExecutor) driver).executeScript("sessionStorage.setItem('l0.apiKey', arguments[0]);", KEY);
            // reading the log empties it: nothing the stylesheet opened as a page logged counts against the
            // console's own pages (the browser asks for /favicon.ico then, which the service serves)
            driver.manage().logs().get(LogType.BROWSER);
            keyBeforeOpening = false;
        }
        driver.get("http://localhost:" + port + "/" + hash);
    }

    private WebElement awaitElement(By by) {
        await("element " + by).atMost(Duration.ofSeconds(30)).until(() -> !driver.findElements(by).isEmpty());
        return driver.findElement(by);
    }

    private String attribute(By by, String name) {
        List<WebElement> found = driver.findElements(by);
        try {
            return found.isEmpty() ? null : found.getFirst().getAttribute(name);
        } catch (org.openqa.selenium.StaleElementReferenceException e) {
            return null;
        }
    }

    /** Sets an input's value as typing would, also where sendKeys is awkward (a textarea with JSON). */
    private void setValue(By by, String value) {
        WebElement element = driver.findElement(by);
        ((JavascriptExecutor) driver).executeScript("arguments[0].value = arguments[1];"
                + "arguments[0].dispatchEvent(new Event('input', {bubbles: true}));", element, value);
    }

    private void clickWhenPresent(By by) {
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> {
            driver.findElement(by).click();
            return true;
        });
    }

    /**
     * Clicks the element {@code css} selects as soon as there is one, inside the page in one step: a running job's
     * header is redrawn with every progress event, so an element found first and clicked after can be stale every
     * time on a busy machine.
     */
    private void clickWhenPresent(String css) {
        await("a click on " + css).atMost(Duration.ofSeconds(30)).until(() -> Boolean.TRUE.equals(
                ((JavascriptExecutor) driver).executeScript("const e = document.querySelector(arguments[0]);"
                        + " if (!e) { return false; } e.click(); return true;", css)));
    }

    private void awaitPoints(String chart, int atLeast) {
        await("chart " + chart + " with at least " + atLeast + " points").atMost(Duration.ofSeconds(30)).until(() -> {
            String points = attribute(By.id(chart), "data-points");
            return points != null && Integer.parseInt(points) >= atLeast;
        });
    }

    /** Pixels of the chart's plot canvas that are not transparent: the lines, bars and points it drew. */
    private long inkedPixels(String chart) {
        Object count = ((JavascriptExecutor) driver).executeScript("""
                const canvas = document.querySelector('#' + arguments[0] + ' canvas');
                const data = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
                let n = 0;
                for (let i = 3; i < data.length; i += 4) { if (data[i] > 0) n++; }
                return n;""", chart);
        return ((Number) count).longValue();
    }

    private boolean partialDownloads() throws Exception {
        try (Stream<Path> files = Files.list(downloads)) {
            return files.anyMatch(f -> f.getFileName().toString().endsWith(".crdownload"));
        }
    }

    /** Fails on any error the pages logged in the browser's console since the last check, except those allowed. */
    private void assertNoConsoleErrors(String where, String... allowed) {
        List<String> errors = new ArrayList<>();
        for (LogEntry entry : driver.manage().logs().get(LogType.BROWSER)) {
            if (entry.getLevel().intValue() >= Level.SEVERE.intValue()
                    && Stream.of(allowed).noneMatch(a -> entry.getMessage().contains(a))) {
                errors.add(entry.getMessage());
            }
        }
        assertThat(errors).as("errors in the browser's console on " + where).isEmpty();
    }

    /** With -Dconsole.screenshots=DIR: the page as it is now, {@code height} pixels tall. */
    private void screenshot(String name, int height) throws Exception {
        if (SCREENSHOTS.isEmpty()) {
            return;
        }
        Dimension before = driver.manage().window().getSize();
        driver.manage().window().setSize(new Dimension(1280, height));
        // the resize reaches the layout at the next frame; two frames later it has been laid out and painted
        ((JavascriptExecutor) driver).executeAsyncScript("const done = arguments[arguments.length - 1];"
                + " requestAnimationFrame(() => requestAnimationFrame(() => done(true)));");
        File shot = ((TakesScreenshot) driver).getScreenshotAs(OutputType.FILE);
        Path target = Path.of(SCREENSHOTS).resolve(name);
        Files.createDirectories(target.getParent());
        Files.copy(shot.toPath(), target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        driver.manage().window().setSize(before);
    }
}
