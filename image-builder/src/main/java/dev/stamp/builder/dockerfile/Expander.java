package dev.stamp.builder.dockerfile;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** Substitutes variables in words the way the builder does for one instruction. */
public interface Expander {

  /** Processes one word: quotes and escapes removed, variables substituted. */
  String word(String word) throws ExpansionException;

  /** Processes a here-document body: variables substituted, quotes left alone. */
  String heredoc(String content) throws ExpansionException;

  default List<String> words(List<String> words) throws ExpansionException {
    List<String> out = new ArrayList<>(words.size());
    for (String w : words) {
      out.add(word(w));
    }
    return out;
  }

  default Optional<String> word(Optional<String> word) throws ExpansionException {
    return word.isPresent() ? Optional.of(word(word.get())) : word;
  }
}
