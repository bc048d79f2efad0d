FROM alpine:3.20
USER root
RUN true
USER app
