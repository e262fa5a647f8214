# Production image: the same pinned requirements as `make setup`, a model
# trained at build time, and a non-root user.
FROM python:3.10-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PYTHONPATH=/app \
    RASA_TELEMETRY_ENABLED=false \
    TF_CPP_MIN_LOG_LEVEL=3

RUN useradd --create-home --uid 1001 kyr
WORKDIR /app

COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY --chown=kyr:kyr . .
USER kyr
RUN pybabel compile -d locales -D messages \
    && python -m rasa train --fixed-model-name kyr --out models --quiet

EXPOSE 5005
# Action server and Rasa server together; RASA_API_TOKEN enables the HTTP API.
CMD ["python", "-m", "bot", "run"]
