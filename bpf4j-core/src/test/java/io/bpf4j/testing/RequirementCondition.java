package io.bpf4j.testing;

import org.junit.jupiter.api.extension.ConditionEvaluationResult;
import org.junit.jupiter.api.extension.ExecutionCondition;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.platform.commons.support.AnnotationSupport;

import java.util.ArrayList;
import java.util.List;

/** Evaluates {@link Requires}: skip with the reason, or fail when every requirement is demanded. */
public final class RequirementCondition implements ExecutionCondition {
    @Override
    public ConditionEvaluationResult evaluateExecutionCondition(ExtensionContext context) {
        List<String> missing = new ArrayList<>();
        context.getElement().flatMap(e -> AnnotationSupport.findAnnotation(e, Requires.class)).ifPresent(r -> {
            for (Requirement q : r.value()) {
                q.missing().ifPresent(missing::add);
            }
        });
        if (missing.isEmpty()) {
            return ConditionEvaluationResult.enabled("requirements met");
        }
        String reason = String.join("; ", missing);
        if ("1".equals(System.getenv("BPF4J_REQUIRE_ALL"))) {
            throw new ExtensionConfigurationException("BPF4J_REQUIRE_ALL=1 but " + context.getDisplayName() + " " + reason);
        }
        System.err.println("SKIPPED " + context.getDisplayName() + ": " + reason);
        return ConditionEvaluationResult.disabled(reason);
    }
}
