package dev.stamp.cli;

import dev.stamp.controller.ControllerException;
import dev.stamp.controller.api.ControllerClient;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Parameters;

/**
 * A verb about one app a controller deploys: {@code [--controller URL] [--token-file FILE] APP}.
 */
abstract class AppCommand extends StampCommand {

  @Mixin ControllerOptions controller;

  @Parameters(paramLabel = "APP")
  String app;

  /** A client of the controller the options (or the state root) name. */
  final ControllerClient client() throws ControllerException {
    return controller.client(stamp.root());
  }
}
