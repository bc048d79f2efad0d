package dev.stamp.builder.engine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.builder.BuildException;
import dev.stamp.runtime.StampException;
import dev.stamp.runtime.StampRoot;
import dev.stamp.testkit.BusyboxRootfs;
import dev.stamp.testkit.RequiresRoot;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** RUN --mount=type=secret: readable in its RUN only, in no blob, config, history or cache file. */
@RequiresRoot
class BuildSecretsIT {

  static final String SECRET = "s3cr3t-" + java.util.UUID.randomUUID();

  @TempDir Path tmp;

  @BeforeEach
  void busybox() {
    org.junit.jupiter.api.Assumptions.assumeTrue(BusyboxRootfs.available(), "busybox-static");
  }

  @Test
  void aSecretIsMountedForItsRunAndEndsUpNowhereInTheStateRoot() throws Exception {
    StampRoot root = new StampRoot(tmp.resolve("root"));
    ImageBuilderIT.buildSampleBase(root, tmp.resolve("base"), "");
    Path ctx = tmp.resolve("ctx");
    Files.createDirectories(ctx);
    Files.writeString(
        ctx.resolve("Dockerfile"),
        "FROM "
            + ImageBuilderIT.BASE
            + "\nRUN --mount=type=secret,id=token sha256sum < /run/secrets/token > /sum"
            + " && ! touch /run/secrets/token 2>/dev/null && wc -c < /run/secrets/token > /len\n"
            + "RUN --mount=type=secret,id=token,target=/etc/app/key,required=true,mode=0440,gid=1000"
            + " stat -c '%a %g' /etc/app/key > /keymode && ls /etc/app > /listing\n"
            + "RUN --mount=type=secret,id=absent ls /run > /run-listing 2>&1 || true\n"
            + "RUN test ! -e /run/secrets/token && test ! -e /etc/app/key\n");
    Path src = tmp.resolve("token.txt");
    Files.writeString(src, SECRET);
    BuildRequest req =
        BuildRequest.of(ctx)
            .withSecrets(Map.of("token", BuildSecret.parse("id=token,src=" + src, Map.of())));
    List<String> output = Collections.synchronizedList(new ArrayList<>());
    BuildResult result =
        ImageBuilder.open(root)
            .build(
                req,
                new Progress() {
                  @Override
                  public void output(int number, String line) {
                    output.add(line);
                  }
                });
    assertThat(result.steps()).filteredOn(s -> s.text().startsWith("RUN")).hasSize(4);

    List<String> found = filesContaining(root.path(), SECRET.getBytes(StandardCharsets.UTF_8));
    assertThat(found).as("files holding the secret").isEmpty();
    assertThat(result.image().config().toString()).doesNotContain(SECRET);
    assertThat(output).noneMatch(l -> l.contains(SECRET));

    Path rootfs = tmp.resolve("rootfs");
    ImageBuilderIT.unpackTo(root, result, rootfs);
    assertThat(Files.readString(rootfs.resolve("sum")))
        .startsWith(
            java.util.HexFormat.of()
                .formatHex(
                    java.security.MessageDigest.getInstance("SHA-256")
                        .digest(SECRET.getBytes(StandardCharsets.UTF_8))));
    assertThat(Files.readString(rootfs.resolve("len")).strip())
        .isEqualTo(String.valueOf(SECRET.length()));
    assertThat(Files.readString(rootfs.resolve("keymode")).strip()).isEqualTo("440 1000");
    assertThat(rootfs.resolve("run/secrets"))
        .as("mount points stay out of the layers")
        .doesNotExist();
    assertThat(rootfs.resolve("etc/app")).doesNotExist();
  }

  @Test
  void aRequiredSecretThatWasNotGivenIsBadInputAtItsLine() throws Exception {
    StampRoot root = new StampRoot(tmp.resolve("root2"));
    ImageBuilderIT.buildSampleBase(root, tmp.resolve("base2"), "");
    Path ctx = tmp.resolve("ctx2");
    Files.createDirectories(ctx);
    Files.writeString(
        ctx.resolve("Dockerfile"),
        "FROM " + ImageBuilderIT.BASE + "\nRUN --mount=type=secret,id=nope,required true\n");
    assertThatThrownBy(() -> ImageBuilder.open(root).build(BuildRequest.of(ctx), Progress.NONE))
        .isInstanceOf(BuildException.class)
        .hasMessageContaining("Dockerfile:2:1")
        .hasMessageContaining("no secret \"nope\"")
        .extracting(e -> ((StampException) e).kind())
        .isEqualTo(StampException.Kind.BAD_INPUT);
  }

  @Test
  void secretSpecsParseFromFileAndEnvAndRefuseBadOnes() throws Exception {
    Path src = tmp.resolve("f");
    Files.writeString(src, "v1");
    assertThat(BuildSecret.parse("id=a,src=" + src, Map.of()).value())
        .isEqualTo("v1".getBytes(StandardCharsets.UTF_8));
    assertThat(BuildSecret.parse("id=b,env=TOKEN_VAR", Map.of("TOKEN_VAR", "v2")).value())
        .isEqualTo("v2".getBytes(StandardCharsets.UTF_8));
    assertThat(BuildSecret.parse("id=b,env=TOKEN_VAR", Map.of("TOKEN_VAR", "v2")).toString())
        .doesNotContain("v2");
    assertThatThrownBy(() -> BuildSecret.parse("src=" + src, Map.of()))
        .hasMessageContaining("id=NAME is required");
    assertThatThrownBy(() -> BuildSecret.parse("id=a,src=" + tmp.resolve("missing"), Map.of()))
        .hasMessageContaining("cannot read");
    assertThatThrownBy(() -> BuildSecret.parse("id=a,env=UNSET_VAR", Map.of()))
        .hasMessageContaining("UNSET_VAR is not set");
  }

  /** Every file under {@code dir} whose bytes (or gunzipped bytes) contain {@code needle}. */
  static List<String> filesContaining(Path dir, byte[] needle) throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> walk = Files.walk(dir)) {
      for (Path p : (Iterable<Path>) walk::iterator) {
        if (!Files.isRegularFile(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
          continue;
        }
        byte[] bytes = Files.readAllBytes(p);
        if (contains(bytes, needle)) {
          out.add(p.toString());
        } else if (bytes.length > 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b) {
          try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
            if (contains(in.readAllBytes(), needle)) {
              out.add(p + " (gunzipped)");
            }
          }
        }
      }
    }
    return out;
  }

  private static boolean contains(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return true;
    }
    return false;
  }
}
