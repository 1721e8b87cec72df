package io.l0sparsify.api;

import io.l0sparsify.dataset.DatasetResolver;
import io.l0sparsify.job.JobLimits;
import io.l0sparsify.job.JobService;
import io.l0sparsify.security.Quotas;
import io.l0sparsify.storage.ArtifactStore;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.webmvc.test.autoconfigure.AutoConfigureMockMvc;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
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

    ContractMvc api;

    @BeforeEach
    void setUpContract() {
        api = new ContractMvc(mockMvc);
    }
}
