package dev.stamp.runtime.network.lb;

/** Dotted-quad IPv4 text checked by hand, so that no host name lookup can ever happen. */
final class Addresses {

  private Addresses() {}

  static boolean isIpv4(String text) {
    String[] octets = text.split("\\.", -1);
    if (octets.length != 4) {
      return false;
    }
    for (String octet : octets) {
      if (octet.isEmpty() || octet.length() > 3 || !octet.chars().allMatch(Character::isDigit)) {
        return false;
      }
      if (Integer.parseInt(octet) > 255 || (octet.length() > 1 && octet.charAt(0) == '0')) {
        return false;
      }
    }
    return true;
  }
}
