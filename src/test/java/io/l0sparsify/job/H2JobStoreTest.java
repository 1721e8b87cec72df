package io.l0sparsify.job;

import org.springframework.boot.test.context.SpringBootTest;

/** The job table on the embedded default database. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = {
        "spring.datasource.url=jdbc:h2:mem:jobstore;DB_CLOSE_DELAY=-1", "l0.worker.enabled=false"})
class H2JobStoreTest extends JobStoreContractTest {}
