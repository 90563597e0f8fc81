# StreamPulse container: build the single binary with Deno, run it on Debian slim with ffmpeg.
# Keeps the Python release's layout: config.yaml and streams.db live in /host (a volume), the
# status API listens on 7000 and the dashboard on 8000.

FROM denoland/deno:2.9.6 AS build
WORKDIR /src
# Dependencies first (exactly as locked), so a source edit does not download them again.
COPY deno.json deno.lock ./
RUN deno install --frozen
COPY . .
# The client bundle must exist before compile embeds web/static; --version smoke-tests the binary.
RUN deno task bundle && deno task compile && ./dist/streampulse --version

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ffmpeg ca-certificates tini \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /host --shell /usr/sbin/nologin streampulse \
    && mkdir -p /host /app && chown streampulse:streampulse /host
COPY --from=build /src/dist/streampulse /usr/local/bin/streampulse
COPY deploy/docker-entrypoint.sh /usr/local/bin/docker-entrypoint.sh
# /app/config.yaml -> /host/config.yaml, as the Python image had it.
RUN ln -s /host/config.yaml /app/config.yaml
# Starts as root only to take over an old root-owned /host, then runs as uid 10001 (see the script).
WORKDIR /host
VOLUME /host
EXPOSE 7000 8000
ENV STREAMPULSE_DATA_DIR=/host
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
    CMD ["/usr/local/bin/streampulse", "healthcheck"]
ENTRYPOINT ["/usr/bin/tini", "--", "/usr/local/bin/docker-entrypoint.sh"]
CMD ["run", "--data-dir", "/host"]
