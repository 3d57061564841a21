package io.tradestore.testing;

import org.junit.jupiter.params.ParameterizedClass;
import org.junit.jupiter.params.provider.ArgumentsSource;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Every test of the class runs once per available engine ({@link TestEngine#available()}): the class-level twin of
 * {@link TestEngine.EachEngine}, for suites whose every test is about the engine-independent API (the DAO tests).
 * The class declares the engine as a field, {@code @Parameter TestEngine engine;} (JUnit hands a class's arguments
 * only to what declares them), and a {@link TempStore} in it opens its store on that engine. Facts true of one
 * engine only belong in a class (or a test) without this annotation.
 */
@Target(ElementType.TYPE)
@Retention(RetentionPolicy.RUNTIME)
@ParameterizedClass(name = "{0}")
@ArgumentsSource(TestEngine.Available.class)
public @interface OnEachEngine {
}
