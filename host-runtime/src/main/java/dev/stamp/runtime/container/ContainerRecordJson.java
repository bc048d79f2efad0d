package dev.stamp.runtime.container;

import static dev.stamp.runtime.fs.StreamingJson.bool;
import static dev.stamp.runtime.fs.StreamingJson.field;
import static dev.stamp.runtime.fs.StreamingJson.intList;
import static dev.stamp.runtime.fs.StreamingJson.intValue;
import static dev.stamp.runtime.fs.StreamingJson.longValue;
import static dev.stamp.runtime.fs.StreamingJson.string;
import static dev.stamp.runtime.fs.StreamingJson.stringList;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.util.DefaultPrettyPrinter;
import dev.stamp.runtime.fs.StreamingJson;
import dev.stamp.runtime.network.PortMapping;
import dev.stamp.runtime.network.PortMappingJson;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * A container's {@code config.json} ({@link ContainerRecord}) through Jackson's streaming API: the
 * bytes the object mapper with {@code INDENT_OUTPUT} wrote (fields in component order, nulls
 * written, Jackson's default pretty printer), and reading skips unknown fields and takes missing
 * ones as null, 0 or false, as the mapper did. A short-lived CLI's {@code run} builds no mapper.
 */
final class ContainerRecordJson {

  private ContainerRecordJson() {}

  /** The record's config.json bytes. */
  static byte[] write(ContainerRecord r) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(2048);
    try {
      write(r, out);
    } catch (IOException e) {
      throw new IllegalStateException("serialise container record " + r.id(), e);
    }
    return out.toByteArray();
  }

  /** Writes the record's config.json to {@code file} (replacing it). */
  static void write(ContainerRecord r, Path file) throws IOException {
    Files.write(file, write(r));
  }

  private static void write(ContainerRecord r, OutputStream out) throws IOException {
    try (JsonGenerator g = StreamingJson.generator(out)) {
      g.setPrettyPrinter(new DefaultPrettyPrinter());
      g.writeStartObject();
      field(g, "id", r.id());
      field(g, "name", r.name());
      field(g, "image", r.image());
      field(g, "imageId", r.imageId());
      field(g, "created", r.created());
      stringList(g, "lowerDirs", r.lowerDirs());
      field(g, "upperDir", r.upperDir());
      field(g, "workDir", r.workDir());
      stringList(g, "args", r.args());
      stringList(g, "env", r.env());
      field(g, "workdir", r.workdir());
      field(g, "user", r.user());
      g.writeNumberField("uid", r.uid());
      g.writeNumberField("gid", r.gid());
      g.writeFieldName("groups");
      if (r.groups() == null) {
        g.writeNull();
      } else {
        g.writeStartArray();
        for (Integer gid : r.groups()) {
          if (gid == null) {
            g.writeNull();
          } else {
            g.writeNumber(gid);
          }
        }
        g.writeEndArray();
      }
      field(g, "hostname", r.hostname());
      g.writeFieldName("mounts");
      if (r.mounts() == null) {
        g.writeNull();
      } else {
        g.writeStartArray();
        for (ContainerRecord.Mount m : r.mounts()) {
          g.writeStartObject();
          field(g, "source", m.source());
          field(g, "target", m.target());
          g.writeBooleanField("readOnly", m.readOnly());
          field(g, "volume", m.volume());
          g.writeEndObject();
        }
        g.writeEndArray();
      }
      g.writeNumberField("memoryBytes", r.memoryBytes());
      g.writeNumberField("cpuMillis", r.cpuMillis());
      g.writeNumberField("pidsLimit", r.pidsLimit());
      g.writeBooleanField("readOnly", r.readOnly());
      g.writeBooleanField("init", r.init());
      field(g, "network", r.network());
      g.writeFieldName("ports");
      if (r.ports() == null) {
        g.writeNull();
      } else {
        g.writeStartArray();
        for (PortMapping p : r.ports()) {
          if (p == null) {
            g.writeNull();
          } else {
            PortMappingJson.write(g, p);
          }
        }
        g.writeEndArray();
      }
      g.writeBooleanField("autoRemove", r.autoRemove());
      g.writeNumberField("stopSignal", r.stopSignal());
      g.writeNumberField("stopTimeoutSeconds", r.stopTimeoutSeconds());
      g.writeFieldName("intent");
      ContainerRecord.Intent intent = r.intent();
      if (intent == null) {
        g.writeNull();
      } else {
        g.writeStartObject();
        stringList(g, "cgroupDirs", intent.cgroupDirs());
        field(g, "nameFile", intent.nameFile());
        g.writeBooleanField("network", intent.network());
        g.writeEndObject();
      }
      g.writeFieldName("aliases");
      g.writeStartArray();
      for (String alias : r.aliases()) {
        g.writeString(alias);
      }
      g.writeEndArray();
      g.writeFieldName("links");
      g.writeStartArray();
      for (ContainerSpec.Link link : r.links()) {
        g.writeStartObject();
        field(g, "name", link.name());
        field(g, "alias", link.alias());
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeBooleanField("tty", r.tty());
      g.writeBooleanField("openStdin", r.openStdin());
      field(g, "seccomp", r.seccomp());
      g.writeEndObject();
    }
  }

  /** Reads a config.json; an IOException when the file is missing or is not a record. */
  static ContainerRecord read(Path file) throws IOException {
    return read(Files.readAllBytes(file), file.toString());
  }

  /** Parses config.json bytes; {@code what} names them in an error. */
  static ContainerRecord read(byte[] json, String what) throws IOException {
    try (JsonParser p = StreamingJson.parser(json)) {
      StreamingJson.startObject(p, "container record");
      return record(p);
    } catch (IOException | RuntimeException e) {
      String message = String.valueOf(e.getMessage());
      int nl = message.indexOf('\n');
      throw new IOException(
          what + ": not a valid container record: " + (nl < 0 ? message : message.substring(0, nl)),
          e);
    }
  }

  private static ContainerRecord record(JsonParser p) throws IOException {
    String id = null;
    String name = null;
    String image = null;
    String imageId = null;
    String created = null;
    List<String> lowerDirs = null;
    String upperDir = null;
    String workDir = null;
    List<String> args = null;
    List<String> env = null;
    String workdir = null;
    String user = null;
    int uid = 0;
    int gid = 0;
    List<Integer> groups = null;
    String hostname = null;
    List<ContainerRecord.Mount> mounts = null;
    long memoryBytes = 0;
    long cpuMillis = 0;
    long pidsLimit = 0;
    boolean readOnly = false;
    boolean init = false;
    String network = null;
    List<PortMapping> ports = null;
    boolean autoRemove = false;
    int stopSignal = 0;
    long stopTimeoutSeconds = 0;
    ContainerRecord.Intent intent = null;
    List<String> aliases = null;
    List<ContainerSpec.Link> links = null;
    boolean tty = false;
    boolean openStdin = false;
    String seccomp = null;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String f = p.currentName();
      p.nextToken();
      switch (f) {
        case "id" -> id = string(p, f);
        case "name" -> name = string(p, f);
        case "image" -> image = string(p, f);
        case "imageId" -> imageId = string(p, f);
        case "created" -> created = string(p, f);
        case "lowerDirs" -> lowerDirs = stringList(p, f);
        case "upperDir" -> upperDir = string(p, f);
        case "workDir" -> workDir = string(p, f);
        case "args" -> args = stringList(p, f);
        case "env" -> env = stringList(p, f);
        case "workdir" -> workdir = string(p, f);
        case "user" -> user = string(p, f);
        case "uid" -> uid = intValue(p, f);
        case "gid" -> gid = intValue(p, f);
        case "groups" -> groups = intList(p, f);
        case "hostname" -> hostname = string(p, f);
        case "mounts" -> mounts = mounts(p);
        case "memoryBytes" -> memoryBytes = longValue(p, f);
        case "cpuMillis" -> cpuMillis = longValue(p, f);
        case "pidsLimit" -> pidsLimit = longValue(p, f);
        case "readOnly" -> readOnly = bool(p, f);
        case "init" -> init = bool(p, f);
        case "network" -> network = string(p, f);
        case "ports" -> ports = ports(p);
        case "autoRemove" -> autoRemove = bool(p, f);
        case "stopSignal" -> stopSignal = intValue(p, f);
        case "stopTimeoutSeconds" -> stopTimeoutSeconds = longValue(p, f);
        case "intent" -> intent = intent(p);
        case "aliases" -> aliases = stringList(p, f);
        case "links" -> links = links(p);
        case "tty" -> tty = bool(p, f);
        case "openStdin" -> openStdin = bool(p, f);
        case "seccomp" -> seccomp = string(p, f);
        default -> p.skipChildren();
      }
    }
    return new ContainerRecord(
        id,
        name,
        image,
        imageId,
        created,
        lowerDirs,
        upperDir,
        workDir,
        args,
        env,
        workdir,
        user,
        uid,
        gid,
        groups,
        hostname,
        mounts,
        memoryBytes,
        cpuMillis,
        pidsLimit,
        readOnly,
        init,
        network,
        ports,
        autoRemove,
        stopSignal,
        stopTimeoutSeconds,
        intent,
        aliases,
        links,
        tty,
        openStdin,
        seccomp);
  }

  private static List<ContainerRecord.Mount> mounts(JsonParser p) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return null;
    }
    StreamingJson.startArray(p, "mounts");
    List<ContainerRecord.Mount> list = new ArrayList<>();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      String path = "mounts[" + list.size() + "]";
      if (p.currentToken() == JsonToken.VALUE_NULL) {
        list.add(null);
        continue;
      }
      StreamingJson.startObject(p.currentToken(), path);
      String source = null;
      String target = null;
      boolean readOnly = false;
      String volume = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String f = p.currentName();
        p.nextToken();
        switch (f) {
          case "source" -> source = string(p, path + ".source");
          case "target" -> target = string(p, path + ".target");
          case "readOnly" -> readOnly = bool(p, path + ".readOnly");
          case "volume" -> volume = string(p, path + ".volume");
          default -> p.skipChildren();
        }
      }
      list.add(new ContainerRecord.Mount(source, target, readOnly, volume));
    }
    return list;
  }

  private static List<PortMapping> ports(JsonParser p) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return null;
    }
    StreamingJson.startArray(p, "ports");
    List<PortMapping> list = new ArrayList<>();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      String path = "ports[" + list.size() + "]";
      if (p.currentToken() == JsonToken.VALUE_NULL) {
        list.add(null);
        continue;
      }
      list.add(PortMappingJson.read(p, path));
    }
    return list;
  }

  private static ContainerRecord.Intent intent(JsonParser p) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return null;
    }
    StreamingJson.startObject(p.currentToken(), "intent");
    List<String> cgroupDirs = null;
    String nameFile = null;
    boolean network = false;
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String f = p.currentName();
      p.nextToken();
      switch (f) {
        case "cgroupDirs" -> cgroupDirs = stringList(p, "intent.cgroupDirs");
        case "nameFile" -> nameFile = string(p, "intent.nameFile");
        case "network" -> network = bool(p, "intent.network");
        default -> p.skipChildren();
      }
    }
    return new ContainerRecord.Intent(cgroupDirs, nameFile, network);
  }

  private static List<ContainerSpec.Link> links(JsonParser p) throws IOException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return null;
    }
    StreamingJson.startArray(p, "links");
    List<ContainerSpec.Link> list = new ArrayList<>();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      String path = "links[" + list.size() + "]";
      StreamingJson.startObject(p.currentToken(), path);
      String name = null;
      String alias = null;
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String f = p.currentName();
        p.nextToken();
        switch (f) {
          case "name" -> name = string(p, path + ".name");
          case "alias" -> alias = string(p, path + ".alias");
          default -> p.skipChildren();
        }
      }
      list.add(new ContainerSpec.Link(name, alias));
    }
    return list;
  }
}
