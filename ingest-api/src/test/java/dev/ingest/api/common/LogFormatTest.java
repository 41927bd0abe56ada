package dev.ingest.api.common;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import ch.qos.logback.core.OutputStreamAppender;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/** The service's logback.xml: text or JSON lines, at a configurable level. */
class LogFormatTest {
    private static String log(String format, String level) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        LoggerContext context = new LoggerContext();
        context.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
        try {
            context.putProperty("ingest.log.format", format);
            context.putProperty("ingest.log.level", level);
            JoranConfigurator configurator = new JoranConfigurator();
            configurator.setContext(context);
            configurator.doConfigure(LogFormatTest.class.getResource("/logback.xml"));
            // The configured appender, writing here instead of to standard error.
            OutputStreamAppender<?> appender = (OutputStreamAppender<?>) context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("console"); // one name, whichever format is included
            appender.setOutputStream(out);
            context.getLogger("dev.ingest.test").info("batch committed: table={} rows={}", "public.t", 42);
            context.getLogger("dev.ingest.test").debug("not at INFO");
        } finally {
            context.stop();
        }
        return out.toString(UTF_8);
    }

    @Test
    void jsonLinesCarryTheFormattedMessage() throws Exception {
        String out = log("json", "INFO").trim();
        assertThat(out.lines()).hasSize(1);
        JsonObject line = new JsonObject(out);
        assertThat(line.getString("level")).isEqualTo("INFO");
        assertThat(line.getString("formattedMessage")).isEqualTo("batch committed: table=public.t rows=42");
    }

    @Test
    void textLinesAndTheLevelAreConfigurable() throws Exception {
        String info = log("text", "INFO");
        assertThat(info).contains("INFO").contains("batch committed: table=public.t rows=42").doesNotContain("not at INFO");
        assertThat(log("text", "DEBUG")).contains("not at INFO");
        assertThat(log("text", "WARN")).isEmpty();
    }
}
