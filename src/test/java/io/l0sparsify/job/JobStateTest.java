package io.l0sparsify.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class JobStateTest {

    @Test
    void queuedJobCanBeClaimedOrCancelledOnly() {
        assertThat(JobState.QUEUED.canMoveTo(JobState.RUNNING)).isTrue();
        assertThat(JobState.QUEUED.canMoveTo(JobState.CANCELLED)).isTrue();
        assertThat(JobState.QUEUED.canMoveTo(JobState.SUCCEEDED)).isFalse();
        assertThat(JobState.QUEUED.canMoveTo(JobState.FAILED)).isFalse();
    }

    @Test
    void runningJobCanEndAnyWayOrGoBackToTheQueue() {
        assertThat(JobState.RUNNING.canMoveTo(JobState.SUCCEEDED)).isTrue();
        assertThat(JobState.RUNNING.canMoveTo(JobState.FAILED)).isTrue();
        assertThat(JobState.RUNNING.canMoveTo(JobState.CANCELLED)).isTrue();
        assertThat(JobState.RUNNING.canMoveTo(JobState.QUEUED)).isTrue();
    }

    @Test
    void finishedStatesAreFinal() {
        for (JobState end : new JobState[] {JobState.SUCCEEDED, JobState.FAILED, JobState.CANCELLED}) {
            assertThat(end.isFinal()).isTrue();
            for (JobState next : JobState.values()) {
                assertThat(end.canMoveTo(next)).isFalse();
            }
        }
    }

    @Test
    void cancelOfFinishedJobIsATypedExceptionCarryingBothStates() {
        assertThatThrownBy(() -> JobState.SUCCEEDED.requireMoveTo("j1", JobState.CANCELLED))
                .isInstanceOfSatisfying(IllegalTransitionException.class, e -> {
                    assertThat(e.jobId()).isEqualTo("j1");
                    assertThat(e.from()).isEqualTo(JobState.SUCCEEDED);
                    assertThat(e.to()).isEqualTo(JobState.CANCELLED);
                });
    }
}
