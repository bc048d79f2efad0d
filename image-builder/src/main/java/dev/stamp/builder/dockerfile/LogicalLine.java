package dev.stamp.builder.dockerfile;

import java.util.Arrays;

/**
 * One instruction's text after joining continuation lines, with the physical position of every
 * character so that an error found anywhere in the joined text points at the right line and column.
 */
final class LogicalLine {

  private final StringBuilder text = new StringBuilder();
  private int[] lines = new int[64];
  private int[] columns = new int[64];
  private int lastLine = 1;
  private int lastColumn = 1;

  /** Appends {@code segment}, whose first character is at {@code line}:{@code column}. */
  void append(String segment, int line, int column) {
    ensureCapacity(text.length() + segment.length());
    for (int i = 0; i < segment.length(); i++) {
      lines[text.length()] = line;
      columns[text.length()] = column + i;
      text.append(segment.charAt(i));
    }
    lastLine = line;
    lastColumn = column + segment.length();
  }

  String text() {
    return text.toString();
  }

  /** The position of the character at {@code index}; past the end, the position after the end. */
  Position positionOf(int index) {
    if (index >= 0 && index < text.length()) {
      return new Position(lines[index], columns[index]);
    }
    if (index < 0 && text.length() > 0) {
      return new Position(lines[0], columns[0]);
    }
    return new Position(lastLine, Math.max(1, lastColumn));
  }

  private void ensureCapacity(int needed) {
    if (needed > lines.length) {
      int size = Math.max(needed, lines.length * 2);
      lines = Arrays.copyOf(lines, size);
      columns = Arrays.copyOf(columns, size);
    }
  }
}
