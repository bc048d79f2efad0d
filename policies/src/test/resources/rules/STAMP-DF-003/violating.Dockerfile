FROM alpine:3.20 AS build
USER app
FROM alpine:3.20
USER app
USER 0:0
