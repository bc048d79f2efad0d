package dev.stamp.runtime.network;

import dev.stamp.runtime.HostRuntimeException;
import java.util.Optional;

/** An IPv4 subnet in CIDR notation ({@code 10.88.0.0/16}); the address is the network address. */
record Subnet(int network, int prefix) {

  /** Smallest subnet with room for a gateway and at least two containers. */
  static final int LONGEST_PREFIX = 29;

  /** Parses {@code A.B.C.D/N}; the host bits must be zero. */
  static Subnet parse(String text) throws HostRuntimeException {
    int slash = text.indexOf('/');
    Optional<Integer> address = Ipv4.parse(slash < 0 ? text : text.substring(0, slash));
    String prefixText = slash < 0 ? "" : text.substring(slash + 1);
    if (address.isEmpty()
        || prefixText.isEmpty()
        || prefixText.length() > 2
        || !prefixText.chars().allMatch(Character::isDigit)) {
      throw HostRuntimeException.badInput(
          "subnet \"" + text + "\": expected an IPv4 subnet like 10.88.0.0/16");
    }
    int prefix = Integer.parseInt(prefixText);
    if (prefix < 8 || prefix > LONGEST_PREFIX) {
      throw HostRuntimeException.badInput(
          "subnet "
              + text
              + ": prefix /"
              + prefix
              + " is out of range (/8-/"
              + LONGEST_PREFIX
              + ")");
    }
    Subnet subnet = new Subnet(address.get(), prefix);
    if ((address.get() & ~subnet.mask()) != 0) {
      throw HostRuntimeException.badInput(
          "subnet " + text + ": host bits are set (did you mean " + subnet.masked() + "?)");
    }
    return subnet;
  }

  /** Parses a subnet Stamp wrote itself (a network file or an attachment record). */
  static Subnet parseTrusted(String text) {
    try {
      return parse(text);
    } catch (HostRuntimeException e) {
      throw new IllegalStateException("stored subnet is invalid: " + e.getMessage(), e);
    }
  }

  int mask() {
    return prefix == 0 ? 0 : -1 << (32 - prefix);
  }

  boolean contains(int address) {
    return (address & mask()) == network;
  }

  boolean overlaps(Subnet other) {
    int common = Math.min(prefix, other.prefix);
    int mask = common == 0 ? 0 : -1 << (32 - common);
    return (network & mask) == (other.network & mask);
  }

  /** The first host address, which the bridge takes as the containers' gateway. */
  String gateway() {
    return Ipv4.format(network + 1);
  }

  private Subnet masked() {
    return new Subnet(network & mask(), prefix);
  }

  /**
   * Written out, as {@code Digest}'s: a record's generated equals and hashCode link through {@code
   * ObjectMethods}' bootstrap on first use, which spins ~25 method-handle forms (~20 ms of a
   * bridged {@code run}'s start: the attach compares the bridge's routes with its subnet).
   */
  @Override
  public boolean equals(Object o) {
    return o instanceof Subnet s && network == s.network && prefix == s.prefix;
  }

  @Override
  public int hashCode() {
    return 31 * network + prefix;
  }

  @Override
  public String toString() {
    return Ipv4.format(network) + "/" + prefix;
  }
}
