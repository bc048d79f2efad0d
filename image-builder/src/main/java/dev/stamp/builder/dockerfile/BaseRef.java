package dev.stamp.builder.dockerfile;

import java.util.Optional;
import java.util.OptionalInt;

/** What a stage starts from: an image reference (possibly {@code scratch}) or an earlier stage. */
public record BaseRef(Optional<String> image, OptionalInt stage) {

  public BaseRef {
    if (image.isPresent() == stage.isPresent()) {
      throw new IllegalArgumentException("a base is an image or a stage");
    }
  }

  public static BaseRef image(String ref) {
    return new BaseRef(Optional.of(ref), OptionalInt.empty());
  }

  public static BaseRef stage(int index) {
    return new BaseRef(Optional.empty(), OptionalInt.of(index));
  }

  public boolean isStage() {
    return stage.isPresent();
  }

  /** {@code FROM scratch}: an empty file system. */
  public boolean isScratch() {
    return image.isPresent() && image.get().equals("scratch");
  }
}
