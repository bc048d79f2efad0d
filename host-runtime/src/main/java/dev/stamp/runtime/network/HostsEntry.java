package dev.stamp.runtime.network;

import java.util.List;

/** One line of an {@code /etc/hosts}: an address and the names that resolve to it. */
public record HostsEntry(String address, List<String> names) {

  public HostsEntry {
    names = List.copyOf(names);
  }
}
