package dev.stamp.runtime.image;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.StampException.Kind;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DigestTest {

  static final String EMPTY_SHA256 =
      "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

  @Test
  void ofComputesSha256() {
    Digest d = Digest.of(new byte[0]);
    assertThat(d.toString()).isEqualTo(EMPTY_SHA256);
    assertThat(d.algorithm()).isEqualTo("sha256");
    assertThat(d.hex()).isEqualTo(d.encoded()).hasSize(64).startsWith("e3b0c442");
    assertThat(d.shortHex()).isEqualTo("e3b0c44298fc");
  }

  @Test
  void parseRoundTrips() throws Exception {
    assertThat(Digest.parse(EMPTY_SHA256)).isEqualTo(Digest.of(new byte[0]));
    String sha512 = "sha512:" + "ab".repeat(64);
    assertThat(Digest.parse(sha512).toString()).isEqualTo(sha512);
  }

  @ParameterizedTest
  @ValueSource(
      strings = {
        "",
        "sha256",
        "sha256:",
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
        "sha256:E3B0C44298FC1C149AFBF4C8996FB92427AE41E4649B934CA495991B7852B855",
        "sha256:e3b0c442",
        "md5:d41d8cd98f00b204e9800998ecf8427e",
        "sha512:abcd",
        "sha256:zzb0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
      })
  void parseRejectsNamingInput(String text) {
    assertThatThrownBy(() -> Digest.parse(text))
        .isInstanceOf(HostRuntimeException.class)
        .hasMessageStartingWith("invalid digest \"" + text + "\"")
        .hasMessageContaining("expected sha256:<64 lowercase hex>")
        .satisfies(e -> assertThat(((HostRuntimeException) e).kind()).isEqualTo(Kind.BAD_INPUT));
  }

  @Test
  void digestingStreamVerifiesWhileReading() throws Exception {
    byte[] data = "hello".getBytes(StandardCharsets.UTF_8);
    DigestingInputStream in = new DigestingInputStream(new ByteArrayInputStream(data));
    in.drainAndVerify(Digest.of(data), "blob");
    assertThat(in.size()).isEqualTo(5);

    DigestingInputStream bad = new DigestingInputStream(new ByteArrayInputStream(data));
    assertThatThrownBy(() -> bad.drainAndVerify(Digest.of(new byte[0]), "blob " + EMPTY_SHA256))
        .isInstanceOf(HostRuntimeException.class)
        .hasMessageContaining("does not match expected " + EMPTY_SHA256);
  }

  @Test
  void skippedBytesAreHashedToo() throws Exception {
    byte[] data = new byte[20000];
    for (int i = 0; i < data.length; i++) {
      data[i] = (byte) i;
    }
    DigestingInputStream in = new DigestingInputStream(new ByteArrayInputStream(data));
    assertThat(in.skip(15000)).isEqualTo(15000);
    assertThat(in.skip(15000)).isEqualTo(5000);
    assertThat(in.digest()).isEqualTo(Digest.of(data));
    assertThat(in.size()).isEqualTo(20000);

    VerifyingInputStream ok =
        new VerifyingInputStream(new ByteArrayInputStream(data), Digest.of(data));
    assertThat(ok.skip(30000)).isEqualTo(20000);
    VerifyingInputStream bad =
        new VerifyingInputStream(new ByteArrayInputStream(data), Digest.of(new byte[0]));
    assertThatThrownBy(() -> bad.skip(30000)).isInstanceOf(BlobCorruptedException.class);
  }

  @Test
  void jsonIsTheString() throws Exception {
    Digest d = Digest.of(new byte[0]);
    assertThat(new String(ImageJson.write(d), StandardCharsets.UTF_8))
        .isEqualTo("\"" + EMPTY_SHA256 + "\"");
    assertThat(ImageJson.read(ImageJson.write(d), Digest.class, "digest")).isEqualTo(d);
    assertThatThrownBy(
            () ->
                ImageJson.read(
                    "\"sha256:nope\"".getBytes(StandardCharsets.UTF_8), Digest.class, "x"))
        .isInstanceOf(HostRuntimeException.class)
        .hasMessageContaining("sha256:nope");
  }
}
