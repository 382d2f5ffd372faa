# Samverkanslotsen: one bot instance. Configuration comes from the environment (.env.example
# lists every variable); nothing secret is baked into the image. See docs/drift.md.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HOST=0.0.0.0 \
    PORT=3978 \
    DATA_DIR=/data

WORKDIR /app
COPY requirements.txt constraints.txt ./
RUN pip install --no-cache-dir -r requirements.txt -c constraints.txt

RUN groupadd --system lotsen && useradd --system --gid lotsen --home-dir /app --shell /usr/sbin/nologin lotsen \
    && mkdir -p /data && chown lotsen:lotsen /data
COPY --chown=root:root . .

USER lotsen
VOLUME ["/data"]
EXPOSE 3978

HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
    CMD python -c "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/healthz' % os.environ.get('PORT', '3978'), timeout=4)" || exit 1

# SIGTERM (docker stop) lets in-flight requests finish for SHUTDOWN_TIMEOUT seconds.
STOPSIGNAL SIGTERM
CMD ["python", "app.py"]
