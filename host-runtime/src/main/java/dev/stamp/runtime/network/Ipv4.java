package dev.stamp.runtime.network;

import java.util.Optional;

/** Dotted-quad IPv4 addresses as ints, parsed by hand (no DNS lookup can ever happen). */
final class Ipv4 {

  private Ipv4() {}

  /** The address as an int, or empty when {@code text} is not exactly four decimal octets. */
  static Optional<Integer> parse(String text) {
    String[] octets = text.split("\\.", -1);
    if (octets.length != 4) {
      return Optional.empty();
    }
    int value = 0;
    for (String octet : octets) {
      if (octet.isEmpty() || octet.length() > 3 || !octet.chars().allMatch(Character::isDigit)) {
        return Optional.empty();
      }
      int n = Integer.parseInt(octet);
      if (n > 255 || (octet.length() > 1 && octet.charAt(0) == '0')) {
        return Optional.empty();
      }
      value = (value << 8) | n;
    }
    return Optional.of(value);
  }

  static boolean isAddress(String text) {
    return parse(text).isPresent();
  }

  static String format(int address) {
    return (address >>> 24)
        + "."
        + ((address >>> 16) & 0xff)
        + "."
        + ((address >>> 8) & 0xff)
        + "."
        + (address & 0xff);
  }
}
