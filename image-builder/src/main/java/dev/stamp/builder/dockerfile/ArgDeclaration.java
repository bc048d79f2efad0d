package dev.stamp.builder.dockerfile;

import java.util.Optional;

/** One name of an ARG instruction, with its default value when it has one. */
public record ArgDeclaration(String name, Optional<String> defaultValue) {}
