package dev.stamp.runtime.image;

import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** Immutable, ordered copies of the collections inside image values; null stays null. */
final class Values {

  private Values() {}

  static <T> List<T> copy(List<T> list) {
    return list == null ? null : List.copyOf(list);
  }

  static <V> Map<String, V> copy(Map<String, V> map) {
    return map == null ? null : Collections.unmodifiableMap(new TreeMap<>(map));
  }

  static Set<String> copy(Set<String> set) {
    return set == null ? null : Collections.unmodifiableSortedSet(new TreeSet<>(set));
  }
}
