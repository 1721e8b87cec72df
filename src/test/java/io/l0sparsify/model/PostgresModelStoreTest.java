package io.l0sparsify.model;

import io.l0sparsify.job.PostgresTestDatabase;
import org.junit.jupiter.api.condition.EnabledIf;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The model table on PostgreSQL (Testcontainers, or the database in L0_TEST_POSTGRES_URL). */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = "l0.worker.enabled=false")
@EnabledIf(value = "io.l0sparsify.job.PostgresTestDatabase#available", disabledReason = PostgresTestDatabase.SKIP_REASON)
class PostgresModelStoreTest extends ModelStoreContractTest {

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        PostgresTestDatabase.register(registry);
    }
}
