package io.l0sparsify.dataset;

import io.l0sparsify.dataset.format.DatasetReaders;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The service reads uploads with the format readers of {@link DatasetReaders}. */
@Configuration(proxyBeanMethods = false)
class DatasetReaderConfiguration {

    @Bean
    DatasetReader datasetReader() {
        return DatasetReaders::read;
    }
}
