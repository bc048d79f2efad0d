package dev.stamp.runtime.network;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** Only an attach whose CNI half is still to run is worth a thread and a held container. */
class PendingAttachmentTest {

  @Test
  void anAttachmentAlreadyMadeHasNothingLeftToConnectEvenWithANamespace() throws Exception {
    NetworkAttachment done =
        new NetworkAttachment(
            "c1",
            new NetworkMode.Bridge("bridge"),
            Optional.of(Path.of("/run/x/netns/c1")),
            Optional.of("10.88.0.2"),
            Optional.of("10.88.0.1"),
            List.of());
    PendingAttachment pending = PendingAttachment.of(done);
    assertThat(pending.connects()).isFalse();
    assertThat(pending.netnsPath()).contains(Path.of("/run/x/netns/c1"));
    assertThat(pending.connect()).isSameAs(done);
  }

  @Test
  void aBridgesFirstHalfStillConnects() throws Exception {
    NetworkAttachment connected =
        new NetworkAttachment(
            "c2",
            new NetworkMode.Bridge("bridge"),
            Optional.of(Path.of("/run/x/netns/c2")),
            Optional.empty(),
            Optional.empty(),
            List.of());
    PendingAttachment pending = new PendingAttachment(Path.of("/run/x/netns/c2"), () -> connected);
    assertThat(pending.connects()).isTrue();
    assertThat(pending.connect()).isSameAs(connected);
  }
}
