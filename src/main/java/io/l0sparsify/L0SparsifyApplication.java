package io.l0sparsify;

import java.time.Clock;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;
import org.springframework.context.annotation.Bean;

/** The l0-sparsify service: accepts L0-sparsification jobs over HTTP, trains them, serves the pruned models. */
@SpringBootApplication
@ConfigurationPropertiesScan
public class L0SparsifyApplication {

    public static void main(String[] args) {
        SpringApplication.run(L0SparsifyApplication.class, args);
    }

    /** One clock for timestamps and leases, replaceable in tests. */
    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }
}
