package io.l0sparsify.security;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** A value a client chose (a JWT subject, an id from a path) cannot forge a field or a line of the audit log. */
class AuditLogTest {

    @Test
    void plainValuesStayAsTheyAre() {
        assertThat(AuditLog.value("alice@example.org")).isEqualTo("alice@example.org");
        assertThat(AuditLog.value("job:3d0c7a52-1a8e-4c1f-9f43-0a7e2b6d9c11")).isEqualTo(
                "job:3d0c7a52-1a8e-4c1f-9f43-0a7e2b6d9c11");
        assertThat(AuditLog.value(null)).isEqualTo("-");
    }

    @Test
    void spacesQuotesAndLineBreaksAreQuotedAndEscaped() {
        // "x outcome=ok" must not read as a second field, nor a newline as a second line
        assertThat(AuditLog.value("x outcome=ok")).isEqualTo("\"x outcome=ok\"");
        assertThat(AuditLog.value("a\"b\\c")).isEqualTo("\"a\\\"b\\\\c\"");
        assertThat(AuditLog.value("evil\nprincipal=admin")).isEqualTo("\"evil\\u000aprincipal=admin\"");
        assertThat(AuditLog.value("")).isEqualTo("\"\"");
    }
}
