FROM alpine:3.20
RUN set -o pipefail && ls | wc -l
SHELL ["/bin/ash", "-eo", "pipefail", "-c"]
RUN ls | wc -l
RUN true || false
