package dev.stamp.builder.dockerfile;

import java.util.Locale;

/**
 * A typed, validated Dockerfile instruction. Values are as written (quotes kept where the builder
 * processes words later); {@link #expand} returns the instruction with Docker's variable
 * substitution applied, for the instructions the builder expands (ADD, COPY, ENV, EXPOSE, LABEL,
 * STOPSIGNAL, USER, VOLUME, WORKDIR, ARG, RUN's mount options). RUN, CMD, ENTRYPOINT, SHELL,
 * HEALTHCHECK, MAINTAINER and ONBUILD are returned unchanged: their shell does the expanding.
 */
public sealed interface Instruction
    permits FromInstruction,
        RunInstruction,
        CmdInstruction,
        EntrypointInstruction,
        LabelInstruction,
        MaintainerInstruction,
        ExposeInstruction,
        EnvInstruction,
        AddInstruction,
        CopyInstruction,
        VolumeInstruction,
        UserInstruction,
        WorkdirInstruction,
        ArgInstruction,
        OnbuildInstruction,
        StopsignalInstruction,
        HealthcheckInstruction,
        ShellInstruction {

  /** Where the instruction is written. */
  SourceLocation location();

  /**
   * Writes the fields that decide this instruction's result into {@code out}, each by an explicit
   * name ({@link CacheText#of}); never where it is written. Part of the build cache key.
   */
  void cacheText(CacheText out);

  /**
   * The keyword in upper case ({@code COPY}): the type's name without "Instruction". Every
   * permitted type is named {@code KeywordInstruction} ({@code InstructionKeywordTest} holds each
   * to it), so the keyword is written once, in the type's name, instead of once more in each
   * record.
   */
  default String keyword() {
    String name = getClass().getSimpleName();
    return name.substring(0, name.length() - "Instruction".length()).toUpperCase(Locale.ROOT);
  }

  /** This instruction with variables substituted; unchanged for the non-expanding kinds. */
  default Instruction expand(Expander expander) throws ExpansionException {
    return this;
  }
}
