package io.l0sparsify.worker;

import io.l0sparsify.ConditionalOnRole;
import io.l0sparsify.Role;
import io.l0sparsify.l0.L0Trainer;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

@ConditionalOnRole({Role.ALL, Role.WORKER})
@Configuration(proxyBeanMethods = false)
class WorkerConfiguration {

    /** The L0 trainer of the core; a new trainer per run keeps runs independent. */
    @Bean
    @ConditionalOnMissingBean(Training.class)
    Training l0Training() {
        return (spec, config, data, listener, resumeFrom) ->
                new L0Trainer().train(spec, config, data, listener, resumeFrom);
    }
}
