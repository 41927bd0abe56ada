package dev.ingest.api;

import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.resideInAnyPackage;
import static com.tngtech.archunit.core.domain.JavaClass.Predicates.simpleNameStartingWith;
import static com.tngtech.archunit.lang.conditions.ArchConditions.onlyHaveDependenciesWhere;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.base.DescribedPredicate;
import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.library.dependencies.SliceRule;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The package boundaries of the service, checked over the production classes of both modules
 * (ingest-api's tests see ingest-engine's classes too): who may use the engine's internals, what
 * the {@code ingest load} client and the formats layer may not reach, that the roles of
 * ingest-api do not depend on each other in a ring, and that ingest-api keeps out of the
 * engine's packages. The engine's own rules
 * (no Vert.x, Netty or HTTP; no cycle among its internals) are in ingest-engine's
 * {@code EngineBoundariesTest}.
 *
 * <p>{@link #PENDING} lists, dependency by dependency, what the rules allow only while the
 * branches that rewrite those files are unmerged; each entry names its branch.
 */
class BoundariesTest {
    /**
     * A dependency from {@code origin} to {@code target} (top-level classes, nested ones
     * included) that a rule lets pass until {@code branch} is merged, which removes it.
     */
    record Pending(String origin, String target, String branch) {
        boolean matches(Dependency d) {
            return topLevel(d.getOriginClass()).equals(origin) && topLevel(d.getTargetClass()).equals(target);
        }

        private static String topLevel(JavaClass c) {
            String name = c.getName();
            int nested = name.indexOf('$');
            return nested < 0 ? name : name.substring(0, nested);
        }
    }

    static final List<Pending> PENDING = List.of();

    private static JavaClasses production;

    @BeforeAll
    static void importProduction() {
        production = new ClassFileImporter()
                .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
                .importPackages("dev.ingest");
    }

    @Test
    void onlyTheEngineUsesItsInternals() {
        classes().that().resideOutsideOfPackage("dev.ingest.engine..")
                .should(notDependOn(resideInAPackage("dev.ingest.engine.internal..").as("engine internals")))
                .because("the engine's public package is its API; its internals may change under any caller")
                .check(production);
    }

    @Test
    void theLoadClientUsesNoServerAndNoEngineInternals() {
        DescribedPredicate<JavaClass> serverSide = resideInAnyPackage("dev.ingest.api.server..", "io.vertx.ext.web..",
                "dev.ingest.engine.internal..")
                .or(resideInAPackage("io.vertx.core.http").and(simpleNameStartingWith("HttpServer")))
                .as("server classes, Vert.x server classes or engine internals");
        classes().that().resideInAPackage("dev.ingest.api.load..")
                .should(notDependOn(serverSide))
                .because("ingest load is a client of the service's HTTP API; it shares shapes with the server only through common packages")
                .check(production);
    }

    @Test
    void theFormatsLayerUsesNoVertxOrNetty() {
        classes().that().resideInAPackage("dev.ingest.api.formats..")
                .should(notDependOn(resideInAnyPackage("io.vertx..", "io.netty..").as("Vert.x or Netty types")))
                .because("the server's decoders, ingest load's chunkers and scheduled imports share the formats layer")
                .check(production);
    }

    /**
     * ingest-api declares nothing in the engine's packages: a class there would count as the
     * engine's own and so escape the rule on internals (and make the modules depend on each
     * other in a ring, which Maven otherwise rules out).
     */
    @Test
    void ingestApiPutsNoClassInTheEnginePackages() {
        JavaClasses ingestApi = new ClassFileImporter().importPath(Path.of("target", "classes"));
        noClasses().should().resideInAPackage("dev.ingest.engine..")
                .because("the engine's packages are the ingest-engine module's")
                .check(ingestApi);
    }

    /** Each {@link #PENDING} entry is still a real dependency: once its branch removes it, delete the entry. */
    @Test
    void everyPendingDependencyStillExists() {
        List<Pending> gone = PENDING.stream()
                .filter(p -> production.stream().flatMap(c -> c.getDirectDependenciesFromSelf().stream()).noneMatch(p::matches))
                .toList();
        assertThat(gone).as("pending dependencies that no longer exist: delete them from PENDING").isEmpty();
    }

    /**
     * The roles of ingest-api, each package tree one slice: {@code server.auth} and
     * {@code server.metrics} are parts of the server and may know it, but no two roles (cli,
     * config, db, common, formats, load, imports, server) may depend on each other in a ring.
     */
    @Test
    void theRolesOfIngestApiFormNoCycle() {
        pendingIgnored(slices().matching("dev.ingest.api.(*)..").should().beFreeOfCycles())
                .check(production);
    }

    private static SliceRule pendingIgnored(SliceRule rule) {
        SliceRule ignoring = rule;
        for (Pending p : PENDING) {
            ignoring = ignoring.ignoreDependency(
                    DescribedPredicate.describe(p.origin(), (JavaClass c) -> c.getName().equals(p.origin()) || c.getName().startsWith(p.origin() + "$")),
                    DescribedPredicate.describe(p.target(), (JavaClass c) -> c.getName().equals(p.target()) || c.getName().startsWith(p.target() + "$")));
        }
        return ignoring;
    }

    /** Depends on no class that {@code forbidden} accepts, except by a {@link #PENDING} dependency. */
    private static ArchCondition<JavaClass> notDependOn(DescribedPredicate<JavaClass> forbidden) {
        DescribedPredicate<Dependency> allowed = DescribedPredicate.describe("target is not " + forbidden.getDescription(),
                (Dependency d) -> !forbidden.test(d.getTargetClass()) || PENDING.stream().anyMatch(p -> p.matches(d)));
        return onlyHaveDependenciesWhere(allowed).as("not depend on " + forbidden.getDescription());
    }
}
