# Multi-stage build: Maven builds the jar, a JRE runs it.
FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY . .
RUN mvn -q -B package -DskipTests

FROM eclipse-temurin:17-jre
RUN useradd --system --uid 10001 ingest
COPY --from=build /src/ingest-api/target/ingest.jar /opt/ingest/ingest.jar
USER ingest
EXPOSE 8080
ENTRYPOINT ["java", "-jar", "/opt/ingest/ingest.jar"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8080"]
