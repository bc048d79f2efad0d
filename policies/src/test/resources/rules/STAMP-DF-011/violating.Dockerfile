FROM alpine:3.20
RUN ls / | wc -l
