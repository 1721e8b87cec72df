package io.l0sparsify.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import org.springframework.transaction.PlatformTransactionManager;
import org.springframework.transaction.support.TransactionTemplate;

/** The job table on PostgreSQL (Testcontainers, or the database in L0_TEST_POSTGRES_URL). */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.NONE, properties = "l0.worker.enabled=false")
@EnabledIf(value = "io.l0sparsify.job.PostgresTestDatabase#available", disabledReason = PostgresTestDatabase.SKIP_REASON)
class PostgresJobStoreTest extends JobStoreContractTest {

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        PostgresTestDatabase.register(registry);
    }

    @Autowired
    JdbcClient jdbc;

    @Autowired
    PlatformTransactionManager transactionManager;

    @Test
    void aClaimSkipsTheRowAnotherClaimerHoldsInsteadOfWaitingForIt() throws Exception {
        Job oldest = store.insert(definition("held"), null, "alice");
        Job next = store.insert(definition("next"), null, "alice");
        CountDownLatch locked = new CountDownLatch(1);
        CountDownLatch done = new CountDownLatch(1);
        // Another claimer's transaction, stopped between its lock and its update.
        CompletableFuture<Void> holder = CompletableFuture.runAsync(() ->
                new TransactionTemplate(transactionManager).executeWithoutResult(status -> {
                    jdbc.sql("select seq from job where seq = ? for update").param(oldest.seq()).query().singleValue();
                    locked.countDown();
                    try {
                        done.await(10, TimeUnit.SECONDS);
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                }));
        assertThat(locked.await(10, TimeUnit.SECONDS)).isTrue();
        long start = System.nanoTime();
        Job claimed = store.claimNext("w1", Duration.ofSeconds(30)).orElseThrow();
        long millis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);
        done.countDown();
        holder.get(10, TimeUnit.SECONDS);
        assertThat(claimed.id()).isEqualTo(next.id());
        assertThat(millis).as("did not wait for the locked row").isLessThan(5000);
        assertThat(store.find(oldest.id()).orElseThrow().state()).isEqualTo(JobState.QUEUED);
    }
}
