package dev.stamp.cli;

import java.io.PrintWriter;
import java.util.List;

/** Columns padded to their widest cell plus three spaces, as Docker prints its tables. */
final class Table {

  private Table() {}

  static void print(PrintWriter out, List<List<String>> rows) {
    int columns = rows.get(0).size();
    int[] widths = new int[columns];
    for (List<String> row : rows) {
      for (int c = 0; c < columns; c++) {
        widths[c] = Math.max(widths[c], row.get(c).length());
      }
    }
    for (List<String> row : rows) {
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < columns; c++) {
        line.append(row.get(c));
        if (c < columns - 1) {
          line.append(" ".repeat(widths[c] - row.get(c).length() + 3));
        }
      }
      out.println(line.toString().stripTrailing());
    }
  }
}
