FROM alpine:3.20
RUN curl -fsSLo install.sh https://example.com/install.sh && sha256sum -c sums && sh install.sh
