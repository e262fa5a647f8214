# Production image. Two stages: the first installs the pinned requirements
# (and whatever compiler they need) into a virtual environment, compiles the
# catalogs and trains the model; the second holds only Python, that
# environment and the app, owned by root and run by an unprivileged user.
# tests/test_deploy.py checks this file and .dockerignore.
FROM python:3.10-slim AS build

ENV PYTHONDONTWRITEBYTECODE=1 \
    PIP_NO_CACHE_DIR=1 \
    PYTHONPATH=/app \
    RASA_TELEMETRY_ENABLED=false \
    TF_CPP_MIN_LOG_LEVEL=3

RUN python -m venv /opt/venv
ENV PATH=/opt/venv/bin:$PATH
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY . .
RUN pybabel compile -d locales -D messages \
    && python -m rasa train --fixed-model-name kyr --out models --quiet \
    && rm -rf .rasa

FROM python:3.10-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    PATH=/opt/venv/bin:$PATH \
    RASA_TELEMETRY_ENABLED=false \
    TF_CPP_MIN_LOG_LEVEL=3 \
    HOME=/tmp

RUN useradd --no-create-home --uid 10001 kyr
COPY --from=build /opt/venv /opt/venv
# The app (code, data, catalogs, model) stays owned by root: the server
# process cannot change what it runs. It writes only to /tmp and to the
# volumes the deployment gives it; conversations and reports go to PostgreSQL.
COPY --from=build /app /app
WORKDIR /app
USER 10001

EXPOSE 5005
HEALTHCHECK --interval=10s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://localhost:5005/webhooks/twilio/ready', timeout=3)"]
# Rasa server with the Twilio channels only; the action server is its
# own service (docker-compose.yml runs `python -m bot actions`).
CMD ["python", "-m", "rasa", "run", "--model", "models/kyr.tar.gz", "--endpoints", "deploy/endpoints.compose.yml", "--credentials", "deploy/credentials.production.yml", "--port", "5005"]
