# StreamPulse container (minimal until the packaging issue adds the compiled binary).
# Keeps the Python release's layout: config and database live in /host.
FROM denoland/deno:2.9.6
RUN apt-get update && apt-get install -y --no-install-recommends ffmpeg ca-certificates \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY deno.json deno.lock ./
COPY main.ts config.yaml ./
COPY monitor ./monitor
COPY web ./web
COPY mqtt ./mqtt
RUN deno cache main.ts
VOLUME /host
EXPOSE 7000 8000
STOPSIGNAL SIGTERM
USER deno
CMD ["run", "--allow-net", "--allow-read", "--allow-write", "--allow-run=ffprobe,ffmpeg", "--allow-env", "main.ts", "--data-dir", "/host"]
