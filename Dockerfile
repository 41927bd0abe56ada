# Multi-stage build: Maven builds the jar, a JRE runs it.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -q -B package -DskipTests

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 ingest
COPY --from=build /src/ingest-api/target/ingest.jar /opt/ingest/ingest.jar
COPY --from=build /src/scripts/ingest /opt/ingest/bin/ingest
# The launcher sizes the heap from the memory budget (2 x memory_budget_mb + 256 MiB) and exits on
# OutOfMemoryError, so that the container's restart policy restarts it. Give the container more
# memory than that heap: metaspace, threads and Netty's direct buffers live outside it.
# INGEST_JAVA_OPTS (e.g. -Xmx2g) overrides.
ENV INGEST_JAR=/opt/ingest/ingest.jar
USER ingest
EXPOSE 8080
ENTRYPOINT ["/opt/ingest/bin/ingest"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8080"]
