# l0-sparsify: one image for the API and the workers (CPU). Build: docker build -t l0-sparsify .
# The PyTorch CPU natives travel inside the jar (pytorch-native-cpu), so a container needs no network.

FROM maven:3.9-eclipse-temurin-25 AS build
WORKDIR /src
COPY pom.xml .
RUN mvn -B -q dependency:go-offline
COPY openapi.yaml .
COPY src src
RUN mvn -B -q -DskipTests package && cp target/l0-sparsify-*[0-9T].jar /src/app.jar \
    && mkdir -p /src/tools/io/l0sparsify/l0 && cp target/test-classes/io/l0sparsify/l0/EngineInfo.class /src/tools/io/l0sparsify/l0/

# GPU image: docker build --target gpu -t l0-sparsify:gpu .
# DJL's CUDA natives for PyTorch 2.7.1 are not on Maven Central, so DJL downloads the cu128 build of libtorch
# into its cache once, here at build time (this step needs the network); the running container needs none.
# Without network at build time, mount a CUDA libtorch 2.7.1 instead and set PYTORCH_LIBRARY_PATH,
# PYTORCH_VERSION=2.7.1 and PYTORCH_FLAVOR=cu128 (DJL's documented settings).
# The engine check (EngineInfo) is a tool outside the service jar: the build stage compiled it with the tests,
# and the one step that loads the engine mounts its class beside the jar; it never enters the image.
FROM nvidia/cuda:12.8.1-cudnn-runtime-ubuntu24.04 AS gpu
RUN apt-get update && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app l0 \
    && mkdir -p /app/data /app/tmp /app/djl-cache && chown -R l0 /app
# Java 25 from the Temurin image (Ubuntu's own packages lag behind the LTS).
COPY --from=eclipse-temurin:25-jre /opt/java/openjdk /opt/java/openjdk
ENV JAVA_HOME=/opt/java/openjdk PATH=/opt/java/openjdk/bin:$PATH
WORKDIR /app
COPY --from=build /src/app.jar /app/app.jar
USER l0
ENV PYTORCH_FLAVOR=cu128 \
    DJL_CACHE_DIR=/app/djl-cache
RUN --mount=type=bind,from=build,source=/src/tools,target=/tmp/engine-info \
    java -Dai.djl.offline=false -Dloader.path=/tmp/engine-info -Dloader.main=io.l0sparsify.l0.EngineInfo \
    -cp /app/app.jar org.springframework.boot.loader.launch.PropertiesLauncher
ENV DJL_OFFLINE=true \
    DNNL_MAX_CPU_ISA=SSE41 \
    JAVA_OPTS="-Xmx6g" \
    L0_ROLE=worker \
    L0_WORKER_DJL_CACHE_DIR=/app/djl-cache \
    L0_STORAGE_DIR=/app/data/artifacts \
    L0_DATASETS_DIR=/app/data/datasets \
    L0_WORKER_DEVICE=auto
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s \
    CMD curl -fsS http://localhost:8080/actuator/health/readiness || exit 1
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS --enable-native-access=ALL-UNNAMED -Djava.io.tmpdir=/app/tmp -jar /app/app.jar \"$@\"", "--"]

# CPU image (the default target, last in this file).
FROM eclipse-temurin:25-jre
RUN apt-get update && apt-get install -y --no-install-recommends curl && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /app l0 \
    && mkdir -p /app/data /app/tmp && chown -R l0 /app
WORKDIR /app
COPY --from=build /src/app.jar /app/app.jar
USER l0
ENV DJL_OFFLINE=true \
    DNNL_MAX_CPU_ISA=SSE41 \
    JAVA_OPTS="-Xmx3g" \
    L0_WORKER_DJL_CACHE_DIR=/app/data/djl-cache \
    L0_STORAGE_DIR=/app/data/artifacts \
    L0_DATASETS_DIR=/app/data/datasets \
    L0_WORKER_DEVICE=cpu
EXPOSE 8080
HEALTHCHECK --interval=15s --timeout=3s --start-period=60s \
    CMD curl -fsS http://localhost:8080/actuator/health/readiness || exit 1
ENTRYPOINT ["sh", "-c", "exec java $JAVA_OPTS --enable-native-access=ALL-UNNAMED -Djava.io.tmpdir=/app/tmp -jar /app/app.jar \"$@\"", "--"]
