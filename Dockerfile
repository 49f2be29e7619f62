# The registry service (GraphQL API and dashboard) as an image; docker-compose.yml runs it
# beside Neo4j. Build: docker build -t registry .
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

WORKDIR /src
COPY pyproject.toml README.md ./
COPY registry ./registry
RUN pip install . \
    && useradd --create-home --uid 10001 registry \
    && mkdir -p /data && chown registry /data

USER registry
WORKDIR /data
# Without REGISTRY_STORE the service keeps an embedded registry file in the /data volume.
ENV REGISTRY_STORE=/data/registry.db
VOLUME ["/data"]
EXPOSE 8000

HEALTHCHECK --interval=15s --timeout=5s --start-period=20s --retries=5 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/health', timeout=4)"]

ENTRYPOINT ["registry"]
CMD ["serve", "--host", "0.0.0.0", "--port", "8000"]
