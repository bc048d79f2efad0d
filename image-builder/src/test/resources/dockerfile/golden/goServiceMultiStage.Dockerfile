# syntax=docker/dockerfile:1.7
# A Go service: cached module downloads, a static build, a distroless-style final stage.

ARG GO_VERSION=1.22
ARG ALPINE=3.20

FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-alpine${ALPINE} AS build
WORKDIR /src
ENV CGO_ENABLED=0 \
    GOFLAGS="-trimpath -mod=readonly"
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod,sharing=locked \
    go mod download
COPY --exclude=*.md . .
ARG TARGETOS TARGETARCH
RUN --mount=type=cache,target=/root/.cache/go-build \
    --mount=type=secret,id=netrc,target=/root/.netrc,required \
    GOOS=$TARGETOS GOARCH=$TARGETARCH go build -ldflags="-s -w" -o /out/server ./cmd/server

FROM build AS test
RUN --network=none go test ./...

FROM scratch
LABEL org.opencontainers.image.title="server" \
      org.opencontainers.image.source=https://example.com/server
COPY --from=build --chown=65532:65532 --chmod=0555 --link /out/server /server
USER 65532:65532
EXPOSE 8080/tcp 9090
STOPSIGNAL SIGTERM
HEALTHCHECK --interval=30s --timeout=3s --start-period=5s --retries=3 \
  CMD ["/server", "-healthcheck"]
ENTRYPOINT ["/server"]
CMD ["--port=8080"]
