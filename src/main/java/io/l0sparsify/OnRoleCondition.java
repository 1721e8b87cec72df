package io.l0sparsify;

import java.util.Arrays;
import java.util.Map;
import org.springframework.context.annotation.Condition;
import org.springframework.context.annotation.ConditionContext;
import org.springframework.core.type.AnnotatedTypeMetadata;

/** Matches when this process's {@code l0.role} is among those {@link ConditionalOnRole} names. */
class OnRoleCondition implements Condition {

    @Override
    public boolean matches(ConditionContext context, AnnotatedTypeMetadata metadata) {
        Map<String, Object> attributes = metadata.getAnnotationAttributes(ConditionalOnRole.class.getName());
        Role[] roles = (Role[]) attributes.get("value");
        // An unknown role fails here, at start-up, with the property's name and the allowed values.
        Role current = Role.parse(context.getEnvironment().getProperty(Role.PROPERTY));
        return Arrays.asList(roles).contains(current);
    }
}
