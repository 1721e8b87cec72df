package io.l0sparsify.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.mockito.ArgumentMatchers.any;
import static org.mockito.Mockito.never;
import static org.mockito.Mockito.verify;
import static org.springframework.test.web.servlet.request.MockMvcRequestBuilders.post;

import com.jayway.jsonpath.JsonPath;
import io.l0sparsify.dataset.DatasetResolver;
import io.l0sparsify.job.JobLimits;
import io.l0sparsify.job.JobService;
import io.l0sparsify.model.ModelService;
import io.l0sparsify.security.Quotas;
import io.l0sparsify.storage.ArtifactStore;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.http.MediaType;
import org.springframework.mock.web.MockHttpServletResponse;
import org.springframework.security.test.context.support.WithMockUser;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

/**
 * The web slice the submission tests share: the job and catalog controllers over mocked services, every request
 * and response checked against openapi.yaml ({@link #api}). A refused request must never reach {@link #jobs}.
 * The slice tests the web layer alone: the security filters are left out and every request is an authenticated
 * admin (SecurityTest covers who may call what).
 */
@WebMvcTest(controllers = {JobController.class, CatalogController.class})
@AutoConfigureMockMvc(addFilters = false)
@WithMockUser(username = "admin", roles = {"USER", "ADMIN"})
@Import(JobControllerWebTest.Properties.class)
abstract class JobControllerWebTest {

    @EnableConfigurationProperties({JobLimits.class, ApiProperties.class})
    static class Properties {}

    @Autowired
    MockMvc mockMvc;

    @MockitoBean
    JobService jobs;

    @MockitoBean
    ArtifactStore artifacts;

    @MockitoBean
    JobEventStreams eventStreams;

    @MockitoBean
    DatasetResolver datasets;

    @MockitoBean
    Quotas quotas;

    @MockitoBean
    Audited audit;

    @MockitoBean
    ModelService models;

    ContractMvc api;

    @BeforeEach
    void setUpContract() {
        api = new ContractMvc(mockMvc);
    }

    protected MockHttpServletResponse submit(String body) throws Exception {
        return api.any(post("/v1/jobs").contentType(MediaType.APPLICATION_JSON).content(body));
    }

    /** The submission is refused with 422 problem+json naming {@code field}, and never reaches {@link #jobs}. */
    protected void assertValidationError(String body, String field, String messagePart) throws Exception {
        MockHttpServletResponse response = submit(body);
        assertThat(response.getStatus()).as(response.getContentAsString()).isEqualTo(422);
        assertThat(response.getContentType()).startsWith("application/problem+json");
        assertThat((String) JsonPath.read(response.getContentAsString(), "$.type"))
                .isEqualTo("urn:l0-sparsify:problem:validation-error");
        List<Map<String, String>> errors = JsonPath.read(response.getContentAsString(), "$.errors");
        assertThat(errors).as(response.getContentAsString()).anySatisfy(e -> {
            assertThat(e.get("field")).isEqualTo(field);
            assertThat(e.get("message")).contains(messagePart);
        });
        verify(jobs, never()).submit(any(), any(), any(), any());
    }
}
