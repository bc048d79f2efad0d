package dev.stamp.httpserver;

import com.fasterxml.jackson.databind.JsonMappingException;
import java.io.IOException;
import java.io.InputStream;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.HttpHeaderValue;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;

/**
 * Request bodies read to a cap, and the words a JSON mapping error is reported in: the field's path
 * ({@code ports[1].target}) and Jackson's message without its source excerpt.
 */
public final class RequestBodies {

  /** A body over the cap: the API answers 413. */
  public static final class TooLarge extends Exception {
    private static final long serialVersionUID = 1L;

    TooLarge(int max) {
      super("request body: over the limit of " + max + " bytes");
    }
  }

  private RequestBodies() {}

  /**
   * The raw body, at most {@code max} bytes. A declared length over the cap is refused before a
   * byte is read (so a client that sent {@code Expect: 100-continue} is never asked for the body).
   */
  public static byte[] read(Request request, int max) throws IOException, TooLarge {
    if (request.getLength() > max) {
      throw new TooLarge(max);
    }
    byte[] bytes;
    try (InputStream in = Content.Source.asInputStream(request)) {
      bytes = in.readNBytes(max + 1);
    }
    if (bytes.length > max) {
      throw new TooLarge(max);
    }
    return bytes;
  }

  /**
   * Call before an answer is committed. A request refused before its body was read (no token, no
   * such route, a body over the cap) leaves bytes on the connection; the server then closes it
   * after the answer. Saying {@code Connection: close} in the answer tells the client so, instead
   * of letting it pool the connection and send its next request into a socket that is going away
   * (Java's client reports that as "header parser received no bytes"). The unread body is never
   * read into memory: only what already arrived is discarded.
   */
  public static void closeIfBodyLeft(Response response) {
    if (!response.isCommitted() && !response.getRequest().consumeAvailable()) {
      response.getHeaders().put(HttpHeader.CONNECTION, HttpHeaderValue.CLOSE.asString());
    }
  }

  /** {@code hosts[1].service}: the path of the field a mapping error is about; "" for the root. */
  public static String path(JsonMappingException e) {
    StringBuilder sb = new StringBuilder();
    for (JsonMappingException.Reference r : e.getPath()) {
      if (r.getFieldName() != null) {
        if (sb.length() > 0) {
          sb.append('.');
        }
        sb.append(r.getFieldName());
      } else if (r.getIndex() >= 0) {
        sb.append('[').append(r.getIndex()).append(']');
      }
    }
    return sb.toString();
  }

  /** Jackson's message without the {@code at [Source…} excerpt, at most 300 characters. */
  public static String shorten(String message) {
    int cut = message.indexOf(" at [Source");
    String s = cut > 0 ? message.substring(0, cut) : message;
    return s.length() > 300 ? s.substring(0, 300) + "…" : s;
  }
}
