package dev.stamp.controller.git;

import dev.stamp.controller.ControllerException;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * One commit's tree, read from the object database without a working copy. Paths are
 * repository-relative with {@code /} separators ({@code apps/shop/compose.yaml}, {@code ""} for the
 * root); an absolute path or one with {@code ..} is BAD_INPUT. Immutable: the commit never changes.
 */
public interface TreeSnapshot {

  /** The commit this tree belongs to. */
  CommitInfo commit();

  /** The bytes of the file at {@code path}; empty when there is none or it is not a file. */
  Optional<byte[]> read(String path) throws ControllerException;

  /** Every file named {@code fileName} at or below directory {@code under}, sorted. */
  List<String> find(String under, String fileName) throws ControllerException;

  /** The Git tree id of directory {@code dir}: a content hash of everything below it. */
  Optional<String> treeId(String dir) throws ControllerException;

  /** The Git blob id of file {@code path}. */
  Optional<String> blobId(String path) throws ControllerException;

  /**
   * Writes the files below {@code dir} under {@code target} (which must exist and be empty):
   * regular files keep their executable bit, symlinks are written as symlinks and never followed,
   * submodules are skipped. Nothing is written outside {@code target}.
   */
  void export(String dir, Path target) throws ControllerException;
}
