# leadsift in a container: the browser app and the `leadsift` binary, built from this
# repository, in a slim runtime image that serves them.
#
#   docker build -t leadsift .
#   docker run -e LEADSIFT_TOKEN=... -p 8080:8080 leadsift            # serve (the default)
#   docker run --rm -v "$PWD:/data:ro" leadsift validate /data/leads.csv
#
# `serve` binds 0.0.0.0:8080 and so refuses to start without a token (LEADSIFT_TOKEN).

FROM rust:1.95-bookworm AS build
# Node and npm for the app's build (binaryen's wasm-opt comes from npm, as on a developer's
# machine); scripts/build-web.sh installs Trunk and wasm-bindgen with cargo.
RUN apt-get update \
 && apt-get install -y --no-install-recommends nodejs npm \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN scripts/build-web.sh \
 && cargo build --release --locked -p leadsift-cli \
 && strip target/release/leadsift

FROM debian:bookworm-slim
RUN useradd --system --uid 10001 --create-home --home-dir /var/lib/leadsift leadsift
COPY --from=build /src/target/release/leadsift /usr/local/bin/leadsift
COPY --from=build /src/target/web /usr/share/leadsift/web
ENV LEADSIFT_WEB_DIR=/usr/share/leadsift/web \
    DATABASE_URL=sqlite:///var/lib/leadsift/leadsift.db \
    LEADSIFT_LOG_FORMAT=json
USER 10001
WORKDIR /var/lib/leadsift
EXPOSE 8080
ENTRYPOINT ["leadsift"]
CMD ["serve", "--bind", "0.0.0.0:8080"]
