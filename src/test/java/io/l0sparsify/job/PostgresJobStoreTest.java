package io.l0sparsify.job;

import org.junit.jupiter.api.condition.EnabledIf;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

/** The job table on PostgreSQL (Testcontainers, or the database in L0_TEST_POSTGRES_URL). */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = "l0.worker.enabled=false")
@EnabledIf(value = "io.l0sparsify.job.PostgresTestDatabase#available", disabledReason = PostgresTestDatabase.SKIP_REASON)
class PostgresJobStoreTest extends JobStoreContractTest {

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        PostgresTestDatabase.register(registry);
    }
}
