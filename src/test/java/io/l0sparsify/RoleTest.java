package io.l0sparsify;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.boot.test.context.runner.ApplicationContextRunner;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** {@code l0.role} decides which beans a process creates; an unknown role stops the start with a clear reason. */
class RoleTest {

    @Configuration(proxyBeanMethods = false)
    static class Beans {

        @Bean
        @ConditionalOnRole({Role.ALL, Role.API})
        String api() {
            return "api";
        }

        @Bean
        @ConditionalOnRole({Role.ALL, Role.WORKER})
        Integer worker() {
            return 1;
        }
    }

    private final ApplicationContextRunner runner = new ApplicationContextRunner().withUserConfiguration(Beans.class);

    @Test
    void withoutARoleAProcessServesTheApiAndRunsTheWorker() {
        runner.run(context -> {
            assertThat(context).hasSingleBean(String.class);
            assertThat(context).hasSingleBean(Integer.class);
        });
    }

    @Test
    void anApiProcessRunsNoWorker() {
        runner.withPropertyValues("l0.role=api").run(context -> {
            assertThat(context).hasSingleBean(String.class);
            assertThat(context).doesNotHaveBean(Integer.class);
        });
    }

    @Test
    void aWorkerProcessServesNoApiAndTheRoleIgnoresCase() {
        runner.withPropertyValues("l0.role=Worker").run(context -> {
            assertThat(context).doesNotHaveBean(String.class);
            assertThat(context).hasSingleBean(Integer.class);
        });
    }

    @Test
    void anUnknownRoleFailsTheStartNamingTheAllowedOnes() {
        runner.withPropertyValues("l0.role=gpu").run(context -> assertThat(context).hasFailed()
                .getFailure().hasMessage("l0.role must be one of [all, api, worker] but is 'gpu'"));
    }
}
