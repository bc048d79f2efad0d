FROM registry.example.com/base/alpine:3.20
FROM ghcr.io/other/tool:1.0
