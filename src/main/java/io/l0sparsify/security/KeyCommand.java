package io.l0sparsify.security;

import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.boot.SpringApplication;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.core.annotation.Order;
import org.springframework.core.env.Environment;
import org.springframework.stereotype.Component;

/**
 * Creates a key from the command line and exits, for an admin on the machine of the database
 * ({@code scripts/create-key NAME [user|admin]}, which runs the jar with {@code --l0.keys.create=NAME} and
 * {@code --l0.keys.role=ROLE}). The key is printed on standard output, alone on its line, once.
 */
@Component
@Order(0)
class KeyCommand implements ApplicationRunner {

    static final String CREATE = "l0.keys.create";
    static final String ROLE = "l0.keys.role";

    private final ApiKeys keys;
    private final AuditLog audit;
    private final Environment environment;
    private final ConfigurableApplicationContext context;

    KeyCommand(ApiKeys keys, AuditLog audit, Environment environment, ConfigurableApplicationContext context) {
        this.keys = keys;
        this.audit = audit;
        this.environment = environment;
        this.context = context;
    }

    @Override
    public void run(ApplicationArguments args) {
        String name = environment.getProperty(CREATE);
        if (name == null) {
            return;
        }
        String roleText = environment.getProperty(ROLE, "user");
        int status;
        ApiKeyRole role = ApiKeyRole.parse(roleText).orElse(null);
        if (!ApiKeys.NAME.matcher(name).matches()) {
            System.err.println(CREATE + ": '" + name + "' is not a principal name (1 to 200 letters, digits, '.',"
                    + " '_', '@', '-', starting with a letter or digit)");
            status = 2;
        } else if (role == null) {
            System.err.println(ROLE + ": must be user or admin but is '" + roleText + "'");
            status = 2;
        } else {
            ApiKeys.Created created = keys.create(name, role);
            audit.record(new Caller("command-line", true), "key.create", "key:" + created.key().id(), "created");
            System.err.println("created " + role.wireName() + " key " + created.key().id() + " for " + name
                    + "; it is shown once:");
            System.out.println(created.secret());
            System.out.flush();
            status = 0;
        }
        int exit = status;
        System.exit(SpringApplication.exit(context, () -> exit));
    }
}
