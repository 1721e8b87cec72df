package io.l0sparsify.api;

import io.l0sparsify.dataset.DatasetResolver;
import io.l0sparsify.job.JobLimits;
import io.l0sparsify.job.JobService;
import io.l0sparsify.storage.ArtifactStore;
import org.junit.jupiter.api.BeforeEach;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.webmvc.test.autoconfigure.WebMvcTest;
import org.springframework.context.annotation.Import;
import org.springframework.test.context.bean.override.mockito.MockitoBean;
import org.springframework.test.web.servlet.MockMvc;

/**
 * The web slice the submission tests share: the job and catalog controllers over mocked services, every request
 * and response checked against openapi.yaml ({@link #api}). A refused request must never reach {@link #jobs}.
 */
@WebMvcTest(controllers = {JobController.class, CatalogController.class})
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

    ContractMvc api;

    @BeforeEach
    void setUpContract() {
        api = new ContractMvc(mockMvc);
    }
}
