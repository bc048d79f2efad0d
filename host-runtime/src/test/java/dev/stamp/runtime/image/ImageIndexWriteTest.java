package dev.stamp.runtime.image;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * An index written by the streaming generator ({@link ImageJson#write}) is byte for byte what the
 * object mapper writes, so index.json and pushed indexes keep their digests.
 */
class ImageIndexWriteTest {

  static final Digest A = Digest.of("a".getBytes(StandardCharsets.UTF_8));
  static final Digest B = Digest.of(new byte[0]);

  static void assertSameAsMapper(ImageIndex index) throws Exception {
    byte[] streamed = ImageJson.write(index);
    assertThat(new String(streamed, StandardCharsets.UTF_8))
        .isEqualTo(new String(ImageJson.writeWithMapper(index), StandardCharsets.UTF_8));
    assertThat(streamed).isEqualTo(ImageJson.writeWithMapper(index));
    assertThat(ImageJson.read(streamed, ImageIndex.class, "test index")).isEqualTo(index);
  }

  @Test
  void emptyIndex() throws Exception {
    assertSameAsMapper(ImageIndex.of(List.of()));
    assertSameAsMapper(new ImageIndex(2, null, null, null));
    assertSameAsMapper(new ImageIndex(0, MediaType.OCI_INDEX, List.of(), Map.of()));
  }

  @Test
  void storeEntriesWithAnnotations() throws Exception {
    Map<String, String> unsorted = new LinkedHashMap<>();
    unsorted.put(Descriptor.REF_NAME, "127.0.0.1:5000/app:1");
    unsorted.put("dev.stamp.pulled.platform", "linux/amd64");
    unsorted.put("a.first", "");
    assertSameAsMapper(
        ImageIndex.of(
            List.of(
                Descriptor.of(MediaType.OCI_MANIFEST, A, 350).withAnnotations(unsorted),
                Descriptor.of(MediaType.OCI_MANIFEST, B, 0).withAnnotations(Map.of()))));
  }

  @Test
  void everyDescriptorAndPlatformField() throws Exception {
    Platform full = new Platform("arm64", "linux", "10.0", List.of("sse4", "a b"), "v8");
    Platform partial = new Platform("amd64", "linux", null, List.of(), null);
    Descriptor withAll =
        new Descriptor(
            MediaType.OCI_MANIFEST,
            A,
            Long.MAX_VALUE,
            List.of("https://example.test/blob", "http://x"),
            Map.of("k", "v"),
            full);
    Descriptor withSome = new Descriptor(MediaType.OCI_INDEX, B, 1, List.of(), null, partial);
    Map<String, String> top = Map.of("org.opencontainers.image.created", "2026-12-06T00:00:00Z");
    assertSameAsMapper(new ImageIndex(2, MediaType.OCI_INDEX, List.of(withAll, withSome), top));
  }

  @Test
  void charactersThatNeedEscaping() throws Exception {
    String odd =
        "quote \" backslash \\ slash / tab \t newline \n nul \u0000 \u00e9 \u4e2d \ud83d\ude00 </x>";
    assertSameAsMapper(
        new ImageIndex(
            2,
            MediaType.OCI_INDEX,
            List.of(
                Descriptor.of(MediaType.OCI_MANIFEST, A, 7)
                    .withAnnotations(Map.of(odd, odd, "\u007f", "\u2028"))),
            Map.of("x", odd)));
  }
}
