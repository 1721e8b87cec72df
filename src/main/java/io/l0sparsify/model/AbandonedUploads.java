package io.l0sparsify.model;

import java.io.IOException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * At start-up, removes the partial model uploads an earlier process left when it ended mid-upload. An hour
 * untouched is far longer than any upload being received or checked takes, so a second process sharing the area
 * loses nothing it is still writing.
 */
@Component
class AbandonedUploads {

    static final Duration UNTOUCHED = Duration.ofHours(1);
    private static final Logger log = LoggerFactory.getLogger(AbandonedUploads.class);

    private final ModelService models;

    AbandonedUploads(ModelService models) {
        this.models = models;
    }

    @EventListener(ApplicationReadyEvent.class)
    void removeAbandoned() {
        try {
            int removed = models.removeAbandonedUploads(UNTOUCHED);
            if (removed > 0) {
                log.info("removed {} partial model upload(s) left by an earlier process", removed);
            }
        } catch (IOException e) {
            log.warn("could not clean the model upload area: {}", e.getMessage());
        }
    }
}
