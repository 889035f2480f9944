# One image for the three services and the worker; docker-compose.yml picks the command.
FROM python:3.11.11-slim-bookworm
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PYTHONPATH=/app
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends curl \
    && rm -rf /var/lib/apt/lists/*
COPY pyproject.toml requirements.lock ./
RUN pip install --no-cache-dir --require-hashes -r requirements.lock
COPY shared ./shared
COPY services ./services
COPY client ./client
COPY gunicorn.conf.py ./
RUN pip install --no-cache-dir --no-deps --no-build-isolation . && useradd --system --home /app iae
USER iae
EXPOSE 5001 5002 5003
CMD ["gunicorn", "-c", "gunicorn.conf.py", "-b", "0.0.0.0:5001", "services.registry.app:create_app()"]
