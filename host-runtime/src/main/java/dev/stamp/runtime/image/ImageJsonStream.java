package dev.stamp.runtime.image;

import static dev.stamp.runtime.fs.StreamingJson.boxedBool;
import static dev.stamp.runtime.fs.StreamingJson.boxedInt;
import static dev.stamp.runtime.fs.StreamingJson.boxedLong;
import static dev.stamp.runtime.fs.StreamingJson.intValue;
import static dev.stamp.runtime.fs.StreamingJson.keySet;
import static dev.stamp.runtime.fs.StreamingJson.longValue;
import static dev.stamp.runtime.fs.StreamingJson.string;
import static dev.stamp.runtime.fs.StreamingJson.stringList;
import static dev.stamp.runtime.fs.StreamingJson.stringMap;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import dev.stamp.runtime.HostRuntimeException;
import dev.stamp.runtime.fs.StreamingJson;
import dev.stamp.runtime.health.HealthCheck;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads image manifests, image indexes (and the store's index.json) and image configs with
 * Jackson's streaming parser: what {@code run} parses of an image, without the object mapper. Gives
 * the values {@link ImageJson}'s mapper gives for the same bytes (unknown fields skipped, the same
 * field names).
 */
final class ImageJsonStream {

  private ImageJsonStream() {}

  static ImageManifest manifest(byte[] json) throws IOException, HostRuntimeException {
    try (JsonParser p = StreamingJson.parser(json)) {
      StreamingJson.startObject(p, "manifest");
      int schemaVersion = 0;
      String mediaType = null;
      Descriptor config = null;
      List<Descriptor> layers = null;
      Map<String, String> annotations = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        switch (field) {
          case "schemaVersion" -> schemaVersion = intValue(p, field);
          case "mediaType" -> mediaType = string(p, field);
          case "config" -> config = descriptor(p, field);
          case "layers" -> layers = descriptors(p, field);
          case "annotations" -> annotations = stringMap(p, field);
          default -> p.skipChildren();
        }
      }
      return new ImageManifest(schemaVersion, mediaType, config, layers, annotations);
    }
  }

  static ImageIndex index(byte[] json) throws IOException, HostRuntimeException {
    try (JsonParser p = StreamingJson.parser(json)) {
      StreamingJson.startObject(p, "image index");
      int schemaVersion = 0;
      String mediaType = null;
      List<Descriptor> manifests = null;
      Map<String, String> annotations = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        switch (field) {
          case "schemaVersion" -> schemaVersion = intValue(p, field);
          case "mediaType" -> mediaType = string(p, field);
          case "manifests" -> manifests = descriptors(p, field);
          case "annotations" -> annotations = stringMap(p, field);
          default -> p.skipChildren();
        }
      }
      return new ImageIndex(schemaVersion, mediaType, manifests, annotations);
    }
  }

  static ImageConfig config(byte[] json) throws IOException, HostRuntimeException {
    try (JsonParser p = StreamingJson.parser(json)) {
      StreamingJson.startObject(p, "image config");
      String created = null;
      String author = null;
      String architecture = null;
      String variant = null;
      String os = null;
      String osVersion = null;
      ContainerConfig config = null;
      RootFs rootfs = null;
      List<HistoryEntry> history = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        switch (field) {
          case "created" -> created = string(p, field);
          case "author" -> author = string(p, field);
          case "architecture" -> architecture = string(p, field);
          case "variant" -> variant = string(p, field);
          case "os" -> os = string(p, field);
          case "os.version" -> osVersion = string(p, field);
          case "config" -> config = containerConfig(p);
          case "rootfs" -> rootfs = rootFs(p);
          case "history" -> history = history(p);
          default -> p.skipChildren();
        }
      }
      return new ImageConfig(
          created, author, architecture, variant, os, osVersion, config, rootfs, history);
    }
  }

  private static List<Descriptor> descriptors(JsonParser p, String field)
      throws IOException, HostRuntimeException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return null;
    }
    StreamingJson.startArray(p, field);
    List<Descriptor> list = new ArrayList<>();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      list.add(descriptor(p, field + "[" + list.size() + "]"));
    }
    return list;
  }

  private static Descriptor descriptor(JsonParser p, String path)
      throws IOException, HostRuntimeException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return null;
    }
    StreamingJson.startObject(p.currentToken(), path);
    String mediaType = null;
    Digest digest = null;
    long size = 0;
    List<String> urls = null;
    Map<String, String> annotations = null;
    Platform platform = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      p.nextToken();
      switch (field) {
        case "mediaType" -> mediaType = string(p, path + ".mediaType");
        case "digest" -> {
          String text = string(p, path + ".digest");
          digest = text == null ? null : Digest.parse(text);
        }
        case "size" -> size = longValue(p, path + ".size");
        case "urls" -> urls = stringList(p, path + ".urls");
        case "annotations" -> annotations = stringMap(p, path + ".annotations");
        case "platform" -> platform = platform(p, path + ".platform");
        default -> p.skipChildren();
      }
    }
    return new Descriptor(mediaType, digest, size, urls, annotations, platform);
  }

  private static Platform platform(JsonParser p, String path) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return null;
    }
    StreamingJson.startObject(p.currentToken(), path);
    String architecture = null;
    String os = null;
    String osVersion = null;
    List<String> osFeatures = null;
    String variant = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      p.nextToken();
      switch (field) {
        case "architecture" -> architecture = string(p, field);
        case "os" -> os = string(p, field);
        case "os.version" -> osVersion = string(p, field);
        case "os.features" -> osFeatures = stringList(p, field);
        case "variant" -> variant = string(p, field);
        default -> p.skipChildren();
      }
    }
    return new Platform(architecture, os, osVersion, osFeatures, variant);
  }

  private static ContainerConfig containerConfig(JsonParser p) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return null;
    }
    StreamingJson.startObject(p.currentToken(), "config");
    ContainerConfig.Builder b = ContainerConfig.builder();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      p.nextToken();
      String path = "config." + field;
      switch (field) {
        case "User" -> b.user(string(p, path));
        case "ExposedPorts" -> b.exposedPorts(keySet(p));
        case "Env" -> b.env(stringList(p, path));
        case "Entrypoint" -> b.entrypoint(stringList(p, path));
        case "Cmd" -> b.cmd(stringList(p, path));
        case "Volumes" -> b.volumes(keySet(p));
        case "WorkingDir" -> b.workingDir(string(p, path));
        case "Labels" -> b.labels(stringMap(p, path));
        case "StopSignal" -> b.stopSignal(string(p, path));
        case "ArgsEscaped" -> b.argsEscaped(boxedBool(p, path));
        case "Healthcheck" -> b.healthcheck(healthCheck(p));
        case "OnBuild" -> b.onBuild(stringList(p, path));
        case "Shell" -> b.shell(stringList(p, path));
        default -> p.skipChildren();
      }
    }
    return b.build();
  }

  private static HealthCheck healthCheck(JsonParser p) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return null;
    }
    StreamingJson.startObject(p.currentToken(), "config.Healthcheck");
    List<String> test = null;
    Long interval = null;
    Long timeout = null;
    Long startPeriod = null;
    Long startInterval = null;
    Integer retries = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      p.nextToken();
      String path = "config.Healthcheck." + field;
      switch (field) {
        case "Test" -> test = stringList(p, path);
        case "Interval" -> interval = boxedLong(p, path);
        case "Timeout" -> timeout = boxedLong(p, path);
        case "StartPeriod" -> startPeriod = boxedLong(p, path);
        case "StartInterval" -> startInterval = boxedLong(p, path);
        case "Retries" -> retries = boxedInt(p, path);
        default -> p.skipChildren();
      }
    }
    return new HealthCheck(test, interval, timeout, startPeriod, startInterval, retries);
  }

  private static RootFs rootFs(JsonParser p) throws IOException, HostRuntimeException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return null;
    }
    StreamingJson.startObject(p.currentToken(), "rootfs");
    String type = null;
    List<Digest> diffIds = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String field = p.currentName();
      p.nextToken();
      switch (field) {
        case "type" -> type = string(p, "rootfs.type");
        case "diff_ids" -> {
          List<String> texts = stringList(p, "rootfs.diff_ids");
          if (texts != null) {
            diffIds = new ArrayList<>();
            for (String text : texts) {
              diffIds.add(text == null ? null : Digest.parse(text));
            }
          }
        }
        default -> p.skipChildren();
      }
    }
    return new RootFs(type, diffIds);
  }

  private static List<HistoryEntry> history(JsonParser p) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return null;
    }
    StreamingJson.startArray(p, "history");
    List<HistoryEntry> list = new ArrayList<>();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      if (p.currentToken() == JsonToken.VALUE_NULL) {
        list.add(null);
        continue;
      }
      String path = "history[" + list.size() + "]";
      StreamingJson.startObject(p.currentToken(), path);
      String created = null;
      String createdBy = null;
      String author = null;
      String comment = null;
      Boolean emptyLayer = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        p.nextToken();
        switch (field) {
          case "created" -> created = string(p, path + ".created");
          case "created_by" -> createdBy = string(p, path + ".created_by");
          case "author" -> author = string(p, path + ".author");
          case "comment" -> comment = string(p, path + ".comment");
          case "empty_layer" -> emptyLayer = boxedBool(p, path + ".empty_layer");
          default -> p.skipChildren();
        }
      }
      list.add(new HistoryEntry(created, createdBy, author, comment, emptyLayer));
    }
    return list;
  }

  /**
   * The canonical bytes of {@code index} ({@link ImageJson#write}'s, byte for byte: the fields in
   * the records' order, map keys sorted, nulls omitted), written with the streaming generator: the
   * store's index.json after a pull, without building the object mapper.
   */
  static byte[] write(ImageIndex index) throws IOException {
    java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream(512);
    try (JsonGenerator g = StreamingJson.generator(out)) {
      g.writeStartObject();
      g.writeNumberField("schemaVersion", index.schemaVersion());
      stringIfPresent(g, "mediaType", index.mediaType());
      g.writeArrayFieldStart("manifests");
      for (Descriptor d : index.manifests()) {
        write(g, d);
      }
      g.writeEndArray();
      mapIfPresent(g, "annotations", index.annotations());
      g.writeEndObject();
    }
    return out.toByteArray();
  }

  private static void write(JsonGenerator g, Descriptor d) throws IOException {
    g.writeStartObject();
    g.writeStringField("mediaType", d.mediaType());
    g.writeStringField("digest", d.digest().toString());
    g.writeNumberField("size", d.size());
    listIfPresent(g, "urls", d.urls());
    mapIfPresent(g, "annotations", d.annotations());
    Platform p = d.platform();
    if (p != null) {
      g.writeObjectFieldStart("platform");
      stringIfPresent(g, "architecture", p.architecture());
      stringIfPresent(g, "os", p.os());
      stringIfPresent(g, "os.version", p.osVersion());
      listIfPresent(g, "os.features", p.osFeatures());
      stringIfPresent(g, "variant", p.variant());
      g.writeEndObject();
    }
    g.writeEndObject();
  }

  private static void stringIfPresent(JsonGenerator g, String name, String value)
      throws IOException {
    if (value != null) {
      g.writeStringField(name, value);
    }
  }

  private static void listIfPresent(JsonGenerator g, String name, List<String> values)
      throws IOException {
    if (values != null) {
      StreamingJson.stringList(g, name, values);
    }
  }

  private static void mapIfPresent(JsonGenerator g, String name, Map<String, String> map)
      throws IOException {
    if (map == null) {
      return;
    }
    g.writeObjectFieldStart(name);
    for (Map.Entry<String, String> e : new java.util.TreeMap<>(map).entrySet()) {
      if (e.getValue() != null) {
        g.writeStringField(e.getKey(), e.getValue());
      }
    }
    g.writeEndObject();
  }
}
