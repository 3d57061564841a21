package io.tradestore;

import io.tradestore.testing.Pages;

import io.tradestore.testing.Stores;
import io.tradestore.trading.Position;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Method;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.assertj.core.api.Assertions.assertThat;

/** The example in README.md is compiled from the README's own text and run against a fresh database. */
class ReadmeExampleTest {
    private static final Pattern EXAMPLE = Pattern.compile(
            "<!-- readme-example:begin -->\\s*```java\\n(.*?)```\\s*<!-- readme-example:end -->", Pattern.DOTALL);

    @TempDir
    Path dir;

    @Test
    void theReadmeExampleCompilesRunsAndDoesWhatItSays() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        Matcher m = EXAMPLE.matcher(readme);
        assertThat(m.find()).as("README.md has the marked example").isTrue();
        Path source = dir.resolve("src/Example.java");
        Files.createDirectories(source.getParent());
        Files.writeString(source, m.group(1));

        Path classes = Files.createDirectories(dir.resolve("classes"));
        JavaCompiler javac = ToolProvider.getSystemJavaCompiler();
        ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        int status = javac.run(null, diagnostics, diagnostics, "--release", "17", "-classpath", classpath(),
                "-d", classes.toString(), source.toString());
        assertThat(status).as("javac: %s", diagnostics.toString(StandardCharsets.UTF_8)).isZero();

        Path database = dir.resolve("example.db");
        String printed = runMain(classes, database);
        assertThat(printed).contains("sent bot-42-entry to the exchange", "realized P&L 80.26 (0.693676189949387394 %)", "0 positions still open");

        try (Tradestore store = Tradestore.open(TradestoreConfig.sqlite(database))) {
            List<Position> closed = store.read(uow -> Pages.all(page -> uow.positions().closed(
                    Stores.T0.minusSeconds(1), java.time.Instant.parse("9999-01-01T00:00:00Z"), page)));
            assertThat(closed).hasSize(1);
        }
    }

    /** Surefire's class path, so the example compiles against the classes under test. */
    private static String classpath() {
        String surefire = System.getProperty("surefire.test.class.path");
        return surefire != null && !surefire.isBlank() ? surefire : System.getProperty("java.class.path");
    }

    private static String runMain(Path classes, Path database) throws Exception {
        PrintStream original = System.out;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (URLClassLoader loader = new URLClassLoader(new URL[] {classes.toUri().toURL()},
                ReadmeExampleTest.class.getClassLoader())) {
            Method main = loader.loadClass("Example").getMethod("main", String[].class);
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            main.invoke(null, (Object) new String[] {database.toString()});
        } finally {
            System.setOut(original);
        }
        return out.toString(StandardCharsets.UTF_8);
    }
}
