package dev.stamp.builder.engine;

import dev.stamp.builder.BuildException;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.image.Image;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.registry.ImagePuller;
import dev.stamp.runtime.registry.Registries;
import dev.stamp.runtime.registry.TransferListener;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Finds the image a {@code FROM} (or {@code COPY --from=IMAGE}) names: {@link #localStore} only, or
 * {@link #registries}: the local store, pulling what it lacks through the registries (mirrors from
 * {@code ROOT/config/registries.json} first), as {@code docker build} does.
 */
public interface BaseImageResolver {

  /** The image {@code ref} names; NOT_FOUND when there is none. */
  Image resolve(String ref) throws BuildException;

  /**
   * The image {@code ref} names for a build plan: its manifest digest and config, never its layers
   * (the local store, else the registry's manifest and config). Resolvers without registries answer
   * as {@link #resolve} does.
   */
  default Image inspect(String ref) throws BuildException {
    return resolve(ref);
  }

  /**
   * For one build with {@code --pull}: every base named by a registry name is pulled afresh (once
   * per build), even when the store has it. Resolvers without registries stay as they are.
   */
  default BaseImageResolver alwaysPulling() {
    return this;
  }

  static BaseImageResolver localStore(ImageStore store) {
    return ref -> {
      try {
        return store.resolve(ref);
      } catch (HostRuntimeException e) {
        if (e.kind() == StampException.Kind.NOT_FOUND) {
          throw BuildException.notFound(
              "FROM " + ref + ": no such image in the local store (pull it first)");
        }
        throw BuildException.wrap("FROM " + ref, e);
      }
    };
  }

  /** The local store, and a pull for a name it lacks (an id or digest is never pulled). */
  static BaseImageResolver registries(StampRoot root, ImageStore store) {
    return new Pulling(root, store, false);
  }

  /** Resolution through {@link ImagePuller}. */
  final class Pulling implements BaseImageResolver {
    private final StampRoot root;
    private final ImageStore store;
    private final boolean always;
    private final Map<String, Image> pulled = new ConcurrentHashMap<>();

    Pulling(StampRoot root, ImageStore store, boolean always) {
      this.root = root;
      this.store = store;
      this.always = always;
    }

    @Override
    public BaseImageResolver alwaysPulling() {
      return new Pulling(root, store, true);
    }

    @Override
    public Image resolve(String ref) throws BuildException {
      boolean name = !ref.startsWith("sha256:") && !ref.matches("[0-9a-f]{4,64}");
      if (!always || !name) {
        try {
          return store.resolve(ref);
        } catch (HostRuntimeException e) {
          if (e.kind() != StampException.Kind.NOT_FOUND || !name) {
            throw convert(ref, e, "");
          }
        }
      }
      Image done = pulled.get(ref);
      if (done != null) {
        return done;
      }
      synchronized (this) {
        done = pulled.get(ref);
        if (done == null) {
          done = pull(ref);
          pulled.put(ref, done);
        }
        return done;
      }
    }

    @Override
    public Image inspect(String ref) throws BuildException {
      boolean name = !ref.startsWith("sha256:") && !ref.matches("[0-9a-f]{4,64}");
      if (!always || !name) {
        try {
          return store.resolve(ref);
        } catch (HostRuntimeException e) {
          if (e.kind() != StampException.Kind.NOT_FOUND || !name) {
            throw convert(ref, e, "");
          }
        }
      }
      Image done = pulled.get(ref);
      if (done != null) {
        return done;
      }
      try {
        ImageReference parsed = ImageReference.parse(ref);
        Registries registries = Registries.open(root, Map.copyOf(System.getenv()));
        return new ImagePuller(registries, store).inspect(parsed);
      } catch (HostRuntimeException e) {
        throw convert(ref, e, "not in the local store, and the registry's manifest failed");
      }
    }

    private Image pull(String ref) throws BuildException {
      try {
        ImageReference parsed = ImageReference.parse(ref);
        Registries registries = Registries.open(root, Map.copyOf(System.getenv()));
        return new ImagePuller(registries, store).pull(parsed, TransferListener.NONE).image();
      } catch (HostRuntimeException e) {
        throw convert(ref, e, always ? "--pull" : "not in the local store, and pulling it failed");
      }
    }

    private static BuildException convert(String ref, HostRuntimeException e, String why) {
      return BuildException.wrap("FROM " + ref + (why.isEmpty() ? "" : ": " + why), e);
    }
  }
}
