package dev.stamp.testkit;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A test class (or method) that works on a state root of its own: a {@link TestStateRoot} parameter
 * (constructor, {@code @BeforeEach} or test method) is a fresh temp directory, and after each test
 * — after the class's own {@code @AfterEach} clean-up — the test fails when {@link StateRootLeaks}
 * finds anything the root left on the host. See {@link StateRootExtension}.
 */
@Target({ElementType.TYPE, ElementType.METHOD})
@Retention(RetentionPolicy.RUNTIME)
@ExtendWith(StateRootExtension.class)
public @interface StampRootTest {}
