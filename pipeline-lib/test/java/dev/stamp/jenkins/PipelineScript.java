package dev.stamp.jenkins;

import groovy.lang.Closure;
import groovy.lang.Script;
import java.util.List;
import java.util.Map;

/**
 * The base class of every {@code vars/} script the harness loads: the Jenkins steps the library
 * uses, each recorded by the {@link PipelineHarness} and carried out the way an agent would.
 */
public abstract class PipelineScript extends Script {

  PipelineHarness harness;

  public Object sh(Map<String, Object> args) {
    return harness.sh(args);
  }

  public Object sh(String script) {
    return harness.sh(Map.of("script", script));
  }

  public void echo(Object message) {
    harness.echo(String.valueOf(message));
  }

  public void error(Object message) {
    harness.error(String.valueOf(message));
  }

  public Object withCredentials(List<Map<String, Object>> bindings, Closure<?> body) {
    return harness.withCredentials(bindings, body);
  }

  public Map<String, Object> string(Map<String, Object> args) {
    return harness.binding("string", args);
  }

  public Object timeout(Map<String, Object> args, Closure<?> body) {
    return harness.timeout(args, body);
  }

  public void sleep(Map<String, Object> args) {
    harness.sleep(args);
  }

  public void sleep(long seconds) {
    harness.sleep(Map.of("time", seconds, "unit", "SECONDS"));
  }

  public Object waitUntil(Closure<?> body) {
    return harness.waitUntil(body);
  }

  public String libraryResource(String path) {
    return harness.libraryResource(path);
  }

  public Map<String, String> getEnv() {
    return harness.env();
  }
}
