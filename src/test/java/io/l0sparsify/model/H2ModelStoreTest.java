package io.l0sparsify.model;

import org.springframework.boot.test.context.SpringBootTest;

/** The model table on the embedded default database. */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = {
        "spring.datasource.url=jdbc:h2:mem:modelstore;DB_CLOSE_DELAY=-1", "l0.worker.enabled=false"})
class H2ModelStoreTest extends ModelStoreContractTest {}
