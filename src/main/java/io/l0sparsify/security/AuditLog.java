package io.l0sparsify.security;

import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/**
 * One line per change a principal asks for, on the logger {@value #LOGGER} (route it to its own file or sink
 * with the logging configuration): {@code principal=alice action=job.submit resource=job:ID outcome=accepted}.
 * Values are written as they are when they hold only safe characters, else quoted with {@code "} and {@code \}
 * escaped, so a client's text (a name, an id it made up) cannot forge a field or a line.
 */
@Component
public class AuditLog {

    public static final String LOGGER = "audit";

    private static final Logger log = LoggerFactory.getLogger(LOGGER);
    private static final Pattern PLAIN = Pattern.compile("[A-Za-z0-9._:@/-]{1,300}");

    /** Records what {@code caller} did to {@code resource} (e.g. {@code job:ID}; {@code -} when none) and how it ended. */
    public void record(Caller caller, String action, String resource, String outcome) {
        log.info("principal={} admin={} action={} resource={} outcome={}", value(caller.principal()), caller.admin(),
                value(action), value(resource), value(outcome));
    }

    static String value(String text) {
        if (text == null) {
            return "-";
        }
        if (PLAIN.matcher(text).matches()) {
            return text;
        }
        StringBuilder quoted = new StringBuilder("\"");
        text.codePoints().limit(300).forEach(c -> {
            if (c == '"' || c == '\\') {
                quoted.append('\\').appendCodePoint(c);
            } else if (Character.isISOControl(c)) {
                quoted.append(String.format("\\u%04x", c));
            } else {
                quoted.appendCodePoint(c);
            }
        });
        return quoted.append('"').toString();
    }
}
