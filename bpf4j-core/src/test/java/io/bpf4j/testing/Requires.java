package io.bpf4j.testing;

import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.extension.ExtendWith;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Marks a test (or a class) that needs something of the machine: root, kernel BTF, clang, bpftool.
 * Where a requirement is missing the test is skipped with the reason shown; where
 * {@code BPF4J_REQUIRE_ALL=1} is set (as .ci/run does) a missing requirement fails instead, so CI
 * can never pass by skipping its kernel tests.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
@ExtendWith(RequirementCondition.class)
@Tag("kernel")
public @interface Requires {
    Requirement[] value();
}
