# syntax=docker/dockerfile:1
# One image for web, worker and beat (docker-compose.yml picks the command).

FROM python:3.11-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

# Build stage: compiled translations and the hashed, compressed static files. gettext is
# needed only here. The dummy key exists only to let settings load; the image never runs with it.
FROM base AS build
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*
COPY . .
RUN mkdir -p locale \
    && if [ -n "$(find locale -name '*.po' | head -n 1)" ]; then python manage.py compilemessages; fi
RUN SECRET_KEY=build-only-dummy-key MINSHENG_VAR_DIR=/tmp/build-var STATIC_ROOT=/app/staticfiles \
    python manage.py collectstatic --noinput --verbosity 1

FROM base
RUN useradd --system --uid 10001 --user-group --home-dir /app --no-create-home minsheng \
    && mkdir -p /var/lib/minsheng \
    && chown minsheng:minsheng /var/lib/minsheng
# The code and static files stay owned by root: the application cannot rewrite itself.
COPY . .
COPY --from=build /app/staticfiles /app/staticfiles
COPY --from=build /app/locale /app/locale
ENV DJANGO_SETTINGS_MODULE=portal.settings \
    MINSHENG_VAR_DIR=/var/lib/minsheng \
    STATIC_ROOT=/app/staticfiles \
    WHITENOISE_USE_FINDERS=false
USER minsheng
EXPOSE 8000
CMD ["gunicorn", "portal.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-", "--no-control-socket"]
