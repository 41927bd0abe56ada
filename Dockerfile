# Multi-stage build: Maven builds the jar, a JRE runs it.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
# .dockerignore keeps target/ and .ingest/ (a local embedded database) out of the context.
COPY . .
RUN mvn -q -B package -DskipTests

FROM eclipse-temurin:17-jre
# A non-root user: the embedded PostgreSQL refuses to run as root, and so should the service.
# Its data directory (embedded database, import downloads) is a volume the user can write.
RUN useradd --system --uid 10001 --home-dir /var/lib/ingest ingest \
    && mkdir -p /var/lib/ingest && chown ingest:ingest /var/lib/ingest
COPY --from=build /src/ingest-api/target/ingest.jar /opt/ingest/ingest.jar
COPY --from=build /src/scripts/ingest /opt/ingest/bin/ingest
# The launcher sizes the heap from the memory budget (2 x memory_budget_mb + 256 MiB) and exits on
# OutOfMemoryError, so that the container's restart policy restarts it. Give the container more
# memory than that heap: metaspace, threads and Netty's direct buffers live outside it.
# INGEST_JAVA_OPTS (e.g. -Xmx2g) overrides.
ENV INGEST_JAR=/opt/ingest/ingest.jar \
    INGEST_DATA_DIR=/var/lib/ingest
VOLUME /var/lib/ingest
WORKDIR /var/lib/ingest
USER ingest
EXPOSE 8080
# Ready = the database answers and the service takes records. Plain bash (no curl in the image);
# change the port here too if CMD listens elsewhere.
HEALTHCHECK --interval=10s --timeout=3s --start-period=60s --retries=3 \
    CMD ["bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /health/ready HTTP/1.0\\r\\n\\r\\n' >&3 && head -n 1 <&3 | grep -q ' 200 '"]
ENTRYPOINT ["/opt/ingest/bin/ingest"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8080"]
