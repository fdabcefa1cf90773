# syntax=docker/dockerfile:1
# Base images pinned by version and by the digest of their multi-architecture index: a rebuild gets the same
# Python, Debian and uv until someone moves these lines on purpose.
FROM python:3.11.14-slim-bookworm@sha256:65a93d69fa75478d554f4ad27c85c1e69fa184956261b4301ebaf6dbb0a3543d AS build
COPY --from=ghcr.io/astral-sh/uv:0.13.0@sha256:cdc6093146eb3ff6a40107b38f008b789e050e77ad87865e381d9917da55a168 /uv /bin/uv
ENV UV_COMPILE_BYTECODE=1 UV_LINK_MODE=copy UV_PYTHON_DOWNLOADS=never
WORKDIR /app
COPY pyproject.toml uv.lock ./
RUN uv sync --locked --no-dev --no-install-project
COPY bot ./bot
COPY cogs ./cogs
COPY data ./data

FROM python:3.11.14-slim-bookworm@sha256:65a93d69fa75478d554f4ad27c85c1e69fa184956261b4301ebaf6dbb0a3543d
RUN useradd --create-home --uid 10001 pulse && mkdir /data && chown pulse /data
WORKDIR /app
COPY --from=build /app /app
# METRICS_PORT serves /health (for the HEALTHCHECK below) and /metrics, inside the container only unless
# METRICS_HOST=0.0.0.0 and the port is published. PULSE_ON_CONFIG_ERROR=wait: a configuration error (no token,
# a rejected one, a database newer than this Pulse) is printed once and the process waits for `docker stop`,
# rather than exiting into a restart policy that would print it again every minute.
ENV PATH="/app/.venv/bin:$PATH" \
    PYTHONUNBUFFERED=1 \
    MPLBACKEND=Agg \
    MPLCONFIGDIR=/tmp/matplotlib \
    DATABASE_URL=sqlite:////data/pulse.db \
    METRICS_PORT=9100 \
    METRICS_HOST=127.0.0.1 \
    PULSE_ON_CONFIG_ERROR=wait
USER pulse
VOLUME ["/data"]
STOPSIGNAL SIGTERM
# No curl in the image: Python's urllib asks /health, and a refused connection or a 503 ends it with code 1.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request as r; h = os.environ.get('METRICS_HOST') or '127.0.0.1'; h = '127.0.0.1' if h == '0.0.0.0' else h; r.urlopen('http://' + h + ':' + os.environ['METRICS_PORT'] + '/health', timeout=3)"]
CMD ["python", "-m", "bot"]
