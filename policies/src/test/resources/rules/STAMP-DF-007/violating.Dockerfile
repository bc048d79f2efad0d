FROM alpine:3.20
RUN sudo make install
