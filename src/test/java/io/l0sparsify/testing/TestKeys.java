package io.l0sparsify.testing;

/**
 * The admin key every test process is configured with ({@code config/application.yaml} on the test classpath sets
 * {@code l0.security.admin-key}), and the header that sends it.
 */
public final class TestKeys {

    public static final String ADMIN = "l0k_test-suite-admin-key-not-for-any-real-service-0000000";
    public static final String AUTHORIZATION = "Authorization";

    private TestKeys() {}

    /** {@code Bearer KEY}. */
    public static String bearer(String key) {
        return "Bearer " + key;
    }

    public static String adminBearer() {
        return bearer(ADMIN);
    }
}
