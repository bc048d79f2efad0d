package dev.stamp.runtime.registry;

import java.net.http.HttpClient;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Set;
import java.util.WeakHashMap;

/**
 * Stops the selector threads of the {@link HttpClient}s this process built, when it exits.
 *
 * <p>A JDK 17 client has no close: its selector thread waits in {@code epoll_wait}, in native code,
 * for as long as the process lives. At exit HotSpot waits for every Java thread in native code to
 * come back, up to 30 times 10 ms for a user thread ({@code VM_Exit::
 * wait_for_threads_in_native_to_block}): every CLI push or pull ended with 0.3 s of nothing, a
 * third of its time against a local registry. Interrupting the thread wakes its selector; the
 * thread then closes the client's connections and ends. The thread is found by the name the JDK
 * gives it, {@code HttpClient-<id>-SelectorManager}, with the id the client's {@code toString} ends
 * with ({@code …(<id>)}, which the JDK's own tests read the same way); a client whose thread cannot
 * be found is left alone (the exit then merely waits).
 *
 * <p>A stopped client never answers again (a request through it would wait forever), so only a
 * {@link Transport} with no request waiting for its answer is stopped, and it refuses requests from
 * then on; one in the middle of a request (a long-lived process exiting while it pulls) is left as
 * it is.
 */
final class ClientShutdown {

  private static final Set<Transport> TRANSPORTS =
      Collections.synchronizedSet(Collections.newSetFromMap(new WeakHashMap<>()));

  static {
    try {
      Runtime.getRuntime().addShutdownHook(new Thread(ClientShutdown::stopAll, "stamp-http-exit"));
    } catch (IllegalStateException e) {
      // first used while the process already exits: nothing to stop then, the exit just waits
    }
  }

  private ClientShutdown() {}

  /** Registers {@code transport} (which has built a client) to be stopped at exit when idle. */
  static void atExit(Transport transport) {
    TRANSPORTS.add(transport);
  }

  /** Stops every registered transport that is idle (the shutdown hook). */
  static void stopAll() {
    List<Transport> transports;
    synchronized (TRANSPORTS) {
      transports = new ArrayList<>(TRANSPORTS);
    }
    transports.forEach(Transport::stopIfIdle);
  }

  /**
   * Interrupts {@code client}'s selector thread, which then closes the client's connections and
   * ends; the client must not be used afterwards. Returns the thread (null when none was found).
   */
  static Thread stop(HttpClient client) {
    String name = selectorThreadName(client);
    if (name == null) {
      return null;
    }
    for (Thread t : allThreads()) {
      if (name.equals(t.getName())) {
        t.interrupt();
        return t;
      }
    }
    return null;
  }

  /**
   * {@code HttpClient-<id>-SelectorManager} for a client whose toString ends with {@code (<id>)}.
   */
  static String selectorThreadName(HttpClient client) {
    String text = client.toString();
    int open = text.lastIndexOf('(');
    if (open < 0 || !text.endsWith(")") || open + 2 > text.length() - 1) {
      return null;
    }
    String id = text.substring(open + 1, text.length() - 1);
    for (int i = 0; i < id.length(); i++) {
      if (!Character.isDigit(id.charAt(i))) {
        return null;
      }
    }
    return "HttpClient-" + id + "-SelectorManager";
  }

  private static Thread[] allThreads() {
    ThreadGroup group = Thread.currentThread().getThreadGroup();
    while (group.getParent() != null) {
      group = group.getParent();
    }
    Thread[] threads = new Thread[group.activeCount() + 16];
    int n = group.enumerate(threads, true);
    return java.util.Arrays.copyOf(threads, n);
  }
}
