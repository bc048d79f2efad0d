FROM python:3.12-slim AS base
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
ENV LEGACY_FORM this value has spaces
WORKDIR /app

RUN <<EOF
set -eux
apt-get update
apt-get install -y --no-install-recommends curl
rm -rf /var/lib/apt/lists/*
EOF

COPY <<-'CONF' <<APP /etc/app/
	[server]
	port = $PORT
	CONF
print("hello from $HOSTNAME")
APP

ARG PIP_INDEX=https://pypi.org/simple
RUN --mount=type=bind,source=requirements.txt,target=/tmp/requirements.txt \
    --mount=type=cache,target=/root/.cache/pip \
    pip install --index-url "$PIP_INDEX" -r /tmp/requirements.txt
COPY . .
# malformed JSON stays shell form, as in Docker
CMD ["python", 'app.py']
VOLUME ["/data", "/logs"]
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
RUN set -o pipefail && curl -fsS https://example.com | wc -c
