package io.l0sparsify.dataset;

import org.springframework.boot.test.context.SpringBootTest;

/** The dataset table on the embedded default database. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = {
        "spring.datasource.url=jdbc:h2:mem:datasetstore;DB_CLOSE_DELAY=-1", "l0.worker.enabled=false"})
class H2DatasetStoreTest extends DatasetStoreContractTest {}
