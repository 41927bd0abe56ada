package dev.ingest.engine;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The engine's boundaries, checked over its production classes: it knows nothing of Vert.x,
 * Netty or HTTP (a server is one of its callers, not part of it), and its internal packages do
 * not depend on each other in a ring. The rules that look at the engine from outside (who may
 * use {@code internal}) live in ingest-api's {@code BoundariesTest}, which sees both modules.
 */
class EngineBoundariesTest {
    /** Vert.x, Netty and anything HTTP: the JDK's client, servlets, other HTTP libraries. */
    static final DescribedPredicate<JavaClass> WEB_TYPES = resideInAnyPackage(
            "io.vertx..", "io.netty..", "..http..", "..httpserver..", "jakarta.servlet..", "javax.servlet..", "okhttp3..")
            .or(DescribedPredicate.describe("have Http in their name", (JavaClass c) -> c.getSimpleName().contains("Http")))
            .as("Vert.x, Netty or HTTP types");

    private static JavaClasses engine;

    @BeforeAll
    static void importEngine() {
        engine = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.ingest.engine");
    }

    @Test
    void theEngineUsesNoVertxNettyOrHttpTypes() {
        noClasses().that().resideInAPackage("dev.ingest.engine..")
                .should().dependOnClassesThat(WEB_TYPES)
                .because("the engine is called by the HTTP server, imports and tools alike; HTTP is the server's business")
                .check(engine);
    }

    @Test
    void theEngineInternalPackagesFormNoCycle() {
        slices().matching("dev.ingest.engine.internal.(*)..")
                .should().beFreeOfCycles()
                .because("each internal package (convert, write, queue, ...) is a layer the others build on, not a partner")
                .check(engine);
    }
}
