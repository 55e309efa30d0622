# MDO Portal image: one image for web, Celery worker and beat (see docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    MEDIA_ROOT=/app/var/media \
    STATIC_ROOT=/app/var/staticfiles

WORKDIR /app

# Dependencies first, in their own layer: rebuilt only when the lock changes. Every file is
# pinned with its hashes (requirements/run.txt, made by `make lock`); pip refuses any other.
COPY requirements/run.txt requirements/run.txt
RUN pip install --require-hashes -r requirements/run.txt

# Then the code, which runs from /app (PYTHONPATH): the project itself is not installed.
COPY . .
# Static files collected into the image, with hashed names for WhiteNoise (a throwaway key:
# collectstatic needs settings, not secrets).
RUN DEBUG=false SECRET_KEY=collectstatic-only-not-a-secret python manage.py collectstatic --noinput \
    && useradd --system --uid 1000 --home-dir /app app \
    && mkdir -p /app/var/media \
    && chown -R app:app /app/var

USER app
EXPOSE 8000

# Production settings unless told otherwise: SECRET_KEY and ALLOWED_HOSTS must be given.
ENV DEBUG=false \
    LOG_FORMAT=json \
    GUNICORN_BIND=0.0.0.0:8000
CMD ["sh", "-c", "python manage.py migrate --noinput && exec gunicorn -c portal/gunicorn_conf.py portal.wsgi"]
