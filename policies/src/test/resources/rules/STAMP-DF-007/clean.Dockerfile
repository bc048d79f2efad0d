FROM alpine:3.20
RUN echo pseudo-sudo && apk add --no-cache sudo-doc=1.0
