FROM alpine:3.20
COPY --chmodd=644 a /a
