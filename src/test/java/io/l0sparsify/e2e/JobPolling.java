package io.l0sparsify.e2e;

import static org.awaitility.Awaitility.await;

import java.time.Duration;
import java.util.List;
import java.util.function.Predicate;
import org.hamcrest.Description;
import org.hamcrest.TypeSafeMatcher;

/** Waiting over HTTP for a job to reach a condition; a timeout names the condition and shows the job's last JSON. */
final class JobPolling {

    static final List<String> FINAL_STATES = List.of("SUCCEEDED", "FAILED", "CANCELLED");

    private JobPolling() {}

    /** The job's reply once it is in one of {@code states}. */
    static ContractHttp.Response awaitState(ContractHttp http, String id, Duration timeout, List<String> states) {
        return awaitJob(http, id, timeout, "in state " + String.join(" or ", states),
                job -> states.contains(EndToEndTest.field(job, "$.state")));
    }

    /** The job's reply, read every 100 ms, once it meets {@code condition} (described by {@code what}). */
    static ContractHttp.Response awaitJob(ContractHttp http, String id, Duration timeout, String what,
            Predicate<ContractHttp.Response> condition) {
        return await("job " + id + " " + what).atMost(timeout).pollInterval(Duration.ofMillis(100))
                .until(() -> http.get("/v1/jobs/" + id), new TypeSafeMatcher<>() {
                    @Override
                    protected boolean matchesSafely(ContractHttp.Response job) {
                        return condition.test(job);
                    }

                    @Override
                    public void describeTo(Description description) {
                        description.appendText("a job " + what);
                    }

                    @Override
                    protected void describeMismatchSafely(ContractHttp.Response job, Description description) {
                        description.appendText("its last reply was ").appendText(job.text());
                    }
                });
    }
}
