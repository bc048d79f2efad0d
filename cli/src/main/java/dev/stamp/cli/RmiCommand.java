package dev.stamp.cli;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException;
import dev.stamp.runtime.StampRoot;
import dev.stamp.runtime.container.ContainerRuntime;
import dev.stamp.runtime.image.Image;
import dev.stamp.runtime.image.ImageReference;
import dev.stamp.runtime.image.ImageStore;
import dev.stamp.runtime.layer.LayerStore;
import dev.stamp.runtime.layer.LayerUsage;
import java.io.PrintWriter;
import java.util.List;
import java.util.Optional;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code stamp rmi}: untag images, delete what no name references any more. */
@Command(
    name = "rmi",
    description =
        "Remove images: a name is untagged; an id removes every name of the image (several names"
            + " need -f). Blobs and unpacked layers nothing references are deleted.")
final class RmiCommand extends StampCommand {

  @Option(
      names = {"-f", "--force"},
      description = "Remove an image id with several names.")
  boolean force;

  @Parameters(arity = "1..*", paramLabel = "IMAGE", description = "Name, id or digest.")
  List<String> images;

  @Override
  public Integer call() throws StampException {
    StampRoot root = stamp.root();
    ImageStore store = ImageStore.open(root);
    PrintWriter out = out();
    StampException pending = null;
    for (String name : images) {
      try {
        remove(store, name, out);
      } catch (StampException e) {
        if (pending != null) {
          err().println("stamp: " + pending.getMessage());
        }
        pending = e;
      }
    }
    LayerStore.open(root, store).prune(LayerUsage.installed(root));
    if (pending != null) {
      throw pending;
    }
    return StampCli.EXIT_OK;
  }

  private void remove(ImageStore store, String name, PrintWriter out) throws StampException {
    Image image = store.resolve(name);
    if (!force) {
      refuseInUse(name, image);
    }
    ImageStore.Removal removal = store.remove(name, force);
    for (ImageReference untagged : removal.untagged()) {
      out.println("Untagged: " + untagged.familiar());
    }
    if (removal.deleted().contains(image.id())) {
      out.println("Deleted: " + image.id());
    }
  }

  /** As Docker: an image a container was created from stays until the container goes (or -f). */
  private void refuseInUse(String name, Image image) throws StampException {
    Optional<String> user =
        ContainerRuntime.containerUsingImage(stamp.root(), image.id().toString());
    if (user.isPresent()) {
      throw HostRuntimeException.conflict(
          "remove image "
              + name
              + ": container "
              + user.get().substring(0, Math.min(12, user.get().length()))
              + " uses it (stamp rm the container first, or rmi -f)");
    }
  }
}
