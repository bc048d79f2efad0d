package dev.stamp.builder.dockerfile;

import java.util.List;

/** {@code VOLUME path…}. */
public record VolumeInstruction(List<String> paths, SourceLocation location)
    implements Instruction {

  public VolumeInstruction {
    paths = List.copyOf(paths);
  }

  @Override
  public void cacheText(CacheText out) {
    out.field("paths", paths);
  }

  @Override
  public VolumeInstruction expand(Expander e) throws ExpansionException {
    return new VolumeInstruction(e.words(paths), location);
  }
}
