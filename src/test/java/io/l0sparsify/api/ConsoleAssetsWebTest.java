package io.l0sparsify.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.web.servlet.MockMvc;

/**
 * The console's files come from the jar, with nothing fetched elsewhere: the page at {@code /}, its modules, and
 * every file they import or link (uPlot from its WebJar, addressed without its version), checked without a browser.
 * The security filters are left out of this slice: that these files need no key is SecurityTest's to check.
 */
@WebMvcTest(controllers = ApiErrorController.class)
@AutoConfigureMockMvc(addFilters = false)
class ConsoleAssetsWebTest {

    private static final Path STATIC = Path.of("src/main/resources/static");
    private static final Pattern IMPORT = Pattern.compile("(?:import\\b[^'\"]*|from\\s*)['\"]([^'\"]+)['\"]");
    private static final Pattern LINK = Pattern.compile("(?:src|href)=\"([^\"#:]+)\"");

    @Autowired
    MockMvc mockMvc;

    private MockHttpServletResponse fetch(String path) throws Exception {
        return mockMvc.perform(get(path)).andReturn().getResponse();
    }

    @Test
    void theConsoleIsTheWelcomePage() throws Exception {
        assertThat(fetch("/").getForwardedUrl()).isEqualTo("index.html");
        MockHttpServletResponse page = fetch("/index.html");
        assertThat(page.getStatus()).isEqualTo(200);
        assertThat(page.getContentType()).startsWith("text/html");
        assertThat(page.getContentAsString(StandardCharsets.UTF_8)).contains("<script type=\"module\" src=\"console/app.js\">");
    }

    @Test
    void everyFileThePagesImportOrLinkIsServedFromTheJar() throws Exception {
        List<String> wanted = new ArrayList<>();
        Matcher links = LINK.matcher(Files.readString(STATIC.resolve("index.html")));
        while (links.find()) {
            wanted.add("/" + links.group(1));
        }
        try (Stream<Path> modules = Files.list(STATIC.resolve("console"))) {
            for (Path module : modules.filter(p -> p.toString().endsWith(".js")).toList()) {
                Matcher imports = IMPORT.matcher(Files.readString(module));
                while (imports.find()) {
                    String target = imports.group(1);
                    wanted.add(target.startsWith("/") ? target : "/console/" + target.replaceFirst("^\\./", ""));
                }
            }
        }
        assertThat(wanted).contains("/console/app.js", "/console/api.js", "/webjars/uplot/dist/uPlot.esm.js",
                "/webjars/uplot/dist/uPlot.min.css");
        for (String path : wanted) {
            if (path.startsWith("/swagger-ui/")) {
                continue; // springdoc's, not the console's
            }
            MockHttpServletResponse file = fetch(path);
            assertThat(file.getStatus()).as(path).isEqualTo(200);
            assertThat(file.getContentAsByteArray()).as(path).isNotEmpty();
            if (path.endsWith(".js")) {
                assertThat(file.getContentType()).as(path).contains("javascript");
            }
        }
        assertThat(fetch("/webjars/uplot/dist/uPlot.esm.js").getContentAsString()).contains("export { uPlot as default }");
    }
}
