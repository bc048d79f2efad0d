package dev.stamp.builder.dockerfile;

import java.util.ArrayList;
import java.util.List;

/**
 * {@code ARG name[=default]…}: build arguments. Before the first FROM they are global (visible to
 * FROM lines only); inside a stage they bring a name into scope, taking a {@code --build-arg}
 * value, else the default, else the global value of the same name.
 */
public record ArgInstruction(List<ArgDeclaration> args, SourceLocation location)
    implements Instruction {

  public ArgInstruction {
    args = List.copyOf(args);
  }

  @Override
  public void cacheText(CacheText out) {
    out.field("count", String.valueOf(args.size()));
    for (ArgDeclaration a : args) {
      out.field("name", a.name()).field("default", a.defaultValue());
    }
  }

  @Override
  public ArgInstruction expand(Expander e) throws ExpansionException {
    List<ArgDeclaration> out = new ArrayList<>(args.size());
    for (ArgDeclaration a : args) {
      out.add(new ArgDeclaration(e.word(a.name()), e.word(a.defaultValue())));
    }
    return new ArgInstruction(out, location);
  }
}
