package io.l0sparsify.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.get;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import com.jayway.jsonpath.JsonPath;
import io.l0sparsify.api.ContractMvc;
import io.l0sparsify.dataset.TestDatasets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.test.web.servlet.MockMvc;

/**
 * {@code l0.security.enabled=false}, for a private single-user machine: requests need no credentials and act as
 * the one admin, whose name owns what they create (the owner rows from before authentication have too).
 */
@SpringBootTest(properties = {"spring.datasource.url=jdbc:h2:mem:auth-off;DB_CLOSE_DELAY=-1",
        "l0.worker.enabled=false", "l0.security.enabled=false"})
@AutoConfigureMockMvc
class AuthenticationOffTest {

    private static final Path DATASETS = TestDatasets.withMnist();

    @DynamicPropertySource
    static void paths(DynamicPropertyRegistry registry) {
        registry.add("l0.datasets.dir", DATASETS::toString);
        registry.add("l0.storage.dir", () -> DATASETS.getParent().resolve("auth-off-artifacts").toString());
    }

    @Autowired
    MockMvc mockMvc;

    @Test
    void everyRequestIsTheAdminWithoutCredentials() throws Exception {
        ContractMvc anonymous = new ContractMvc(mockMvc, null);
        MockHttpServletResponse submitted = anonymous.valid(post("/v1/jobs").contentType(MediaType.APPLICATION_JSON)
                .content("""
                        {"model": {"preset": "mlp"}, "dataset": {"uri": "builtin:mnist"},
                         "training": {"epochs": 1}}"""));
        assertThat(submitted.getStatus()).isEqualTo(202);
        assertThat(JsonPath.<String>read(submitted.getContentAsString(), "$.owner"))
                .isEqualTo(ApiKeys.BOOTSTRAP_PRINCIPAL);
        assertThat(anonymous.valid(get("/v1/jobs")).getStatus()).isEqualTo(200);
        assertThat(anonymous.valid(get("/v1/keys")).getStatus()).isEqualTo(200);
        assertThat(anonymous.valid(get("/actuator/prometheus")).getStatus()).isEqualTo(200);
    }
}
