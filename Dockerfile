# l0-sparsify: one image for the API and the workers (CPU). Build: docker build -t l0-sparsify .
# The PyTorch CPU natives travel inside the jar (pytorch-native-cpu), so a container needs no network.

FROM maven:3.9-eclipse-temurin-17 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY openapi.yaml .
COPY src src
RUN mvn -B -q -DskipTests package && cp target/l0-sparsify-*[0-9T].jar /src/app.jar

FROM eclipse-temurin:17-jre
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app l0 \
    && mkdir -p /app/data /app/tmp && chown -R l0 /app
WORKDIR /app
COPY --from=build /src/app.jar /app/app.jar
USER l0
ENV DJL_OFFLINE=true \
    JAVA_OPTS="-Xmx3g" \
    L0_WORKER_DJL_CACHE_DIR=/app/data/djl-cache \
    L0_STORAGE_DIR=/app/data/artifacts \
    L0_DATASETS_DIR=/app/data/datasets \
    L0_WORKER_DEVICE=cpu
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s \
    CMD curl -fsS http://localhost:8080/actuator/health/readiness || exit 1
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS -Djava.io.tmpdir=/app/tmp -jar /app/app.jar \"$@\"", "--"]
