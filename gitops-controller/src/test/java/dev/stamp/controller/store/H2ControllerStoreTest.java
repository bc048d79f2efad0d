package dev.stamp.controller.store;

import java.nio.file.Path;
import org.junit.jupiter.api.io.TempDir;

/** The store's contract on its default database: an H2 file under a temp state root. */
class H2ControllerStoreTest extends ControllerStoreContract {

  @TempDir Path root;

  @Override
  DatabaseSettings freshDatabase() {
    return DatabaseSettings.h2(root);
  }
}
