package dev.stamp.runtime.seccomp;

import dev.stamp.runtime.seccomp.BpfProgram.Insn;
import dev.stamp.runtime.seccomp.SeccompProfile.Action;
import dev.stamp.runtime.seccomp.SeccompProfile.ArgCondition;
import dev.stamp.runtime.seccomp.SeccompProfile.KernelVersion;
import dev.stamp.runtime.seccomp.SeccompProfile.Rule;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Compiles a {@link SeccompProfile} into a seccomp BPF program for one architecture, capability set
 * and kernel, with Docker's semantics (moby's profiles/seccomp and runc):
 *
 * <ul>
 *   <li>a rule applies unless {@code excludes} names this arch, any capability the container has,
 *       or a {@code minKernel} this kernel reaches, and only if {@code includes} (when given) names
 *       this arch, all of its capabilities are the container's and this kernel reaches its {@code
 *       minKernel};
 *   <li>a rule's {@code args} must all hold, except that several conditions on one argument are
 *       alternatives (runc adds them as separate rules); a rule without args for a syscall wins
 *       over rules with args for it (libseccomp); otherwise the first rule whose args hold, in file
 *       order, decides; names the architecture does not have are skipped (as libseccomp does);
 *   <li>a syscall no rule names gets {@code defaultAction}; a number above every syscall this
 *       architecture's table knows gets ENOSYS (as runc does, so that a newer libc falls back);
 *   <li>a call made through another ABI ({@code seccomp_data.arch} is not the native one: 32-bit
 *       {@code int 0x80}, 32-bit programs) kills the process; x32 numbers get ENOSYS.
 * </ul>
 *
 * The program is a binary search over the syscall number (about 8 comparisons for any call), with
 * the argument checks of the few conditional syscalls after it.
 */
public final class SeccompCompiler {

  private static final int ENOSYS = 38;
  private static final int RET_KILL_PROCESS = 0x80000000;
  private static final int OFF_NR = 0;
  private static final int OFF_ARCH = 4;
  private static final int OFF_ARGS = 16;

  private SeccompCompiler() {}

  /** One syscall's rules, in order; unconditional: one rule with no conditions. */
  private record Alternative(Action action, List<ArgCondition> conditions) {}

  /** The program for {@code arch}, a container holding {@code caps} ({@code CAP_CHOWN}...). */
  public static BpfProgram compile(
      SeccompProfile profile, Set<String> caps, SeccompArch arch, KernelVersion kernel) {
    Map<Integer, List<Alternative>> bySyscall = new TreeMap<>();
    Map<String, Integer> table = arch.syscalls();
    for (Rule rule : profile.rules()) {
      if (!applies(rule, caps, arch, kernel)) {
        continue;
      }
      List<List<ArgCondition>> conjunctions = conjunctions(rule.args());
      for (String name : rule.names()) {
        Integer nr = table.get(name);
        if (nr == null) {
          continue;
        }
        List<Alternative> alts = bySyscall.computeIfAbsent(nr, n -> new ArrayList<>());
        for (List<ArgCondition> c : conjunctions) {
          alts.add(new Alternative(rule.action(), c));
        }
      }
    }
    Action dflt = profile.defaultAction();
    // per syscall: a plain return value, or the alternatives to test in a block after the tree
    Map<Integer, Object> decisions = new TreeMap<>();
    bySyscall.forEach(
        (nr, alts) -> {
          Alternative unconditional =
              alts.stream().filter(a -> a.conditions().isEmpty()).findFirst().orElse(null);
          if (unconditional != null) {
            decisions.put(nr, unconditional.action().ret());
          } else {
            decisions.put(nr, List.copyOf(alts));
          }
        });
    return new Emitter(arch, dflt).program(decisions);
  }

  static boolean applies(Rule rule, Set<String> caps, SeccompArch arch, KernelVersion kernel) {
    SeccompProfile.Filter ex = rule.excludes();
    if (ex.arches().contains(arch.profileName())
        || ex.caps().stream().anyMatch(caps::contains)
        || ex.minKernel().map(k -> kernel.compareTo(k) >= 0).orElse(false)) {
      return false;
    }
    SeccompProfile.Filter in = rule.includes();
    return (in.arches().isEmpty() || in.arches().contains(arch.profileName()))
        && caps.containsAll(in.caps())
        && in.minKernel().map(k -> kernel.compareTo(k) >= 0).orElse(true);
  }

  /** runc: all conditions at once, unless one argument is compared twice: then each alone. */
  private static List<List<ArgCondition>> conjunctions(List<ArgCondition> args) {
    boolean repeated = args.stream().map(ArgCondition::index).distinct().count() < args.size();
    if (!repeated) {
      return List.of(args);
    }
    return args.stream().map(List::of).toList();
  }

  /** Lays out the program with symbolic labels, then resolves the jumps. */
  private static final class Emitter {
    private final SeccompArch arch;
    private final Action dflt;
    private final List<Object[]> code = new ArrayList<>(); // {code, jtLabel|int, jfLabel|int, k}
    private final Map<String, Integer> labels = new HashMap<>();
    private int nextLabel;

    Emitter(SeccompArch arch, Action dflt) {
      this.arch = arch;
      this.dflt = dflt;
    }

    private String label() {
      return "L" + nextLabel++;
    }

    private void place(String label) {
      labels.put(label, code.size());
    }

    /** {@code jt}/{@code jf}: an int (relative offset) or a label. */
    private void emit(int op, Object jt, Object jf, int k) {
      code.add(new Object[] {op, jt, jf, k});
    }

    private void ret(int value) {
      emit(Insn.RET_K, 0, 0, value);
    }

    private void load(int offset) {
      emit(Insn.LD_W_ABS, 0, 0, offset);
    }

    BpfProgram program(Map<Integer, Object> decisions) {
      int max = arch.maxSyscall();
      load(OFF_ARCH);
      emit(Insn.JMP_JEQ_K, 1, 0, arch.auditArch());
      ret(RET_KILL_PROCESS);
      load(OFF_NR);
      emit(Insn.JMP_JGT_K, 0, 1, max);
      ret(Action.errno(ENOSYS).ret());
      // intervals [lo, hi] of numbers with one decision, adjacent equal plain returns merged
      List<int[]> bounds = new ArrayList<>(); // {lo}
      List<Object> what = new ArrayList<>();
      Map<Object, String> blocks = new LinkedHashMap<>();
      int nr = 0;
      while (nr <= max) {
        Object d = decisions.getOrDefault(nr, dflt.ret());
        if (d instanceof List && !blocks.containsKey(d)) {
          blocks.put(d, label());
        }
        if (what.isEmpty() || !(d instanceof Integer) || !d.equals(what.get(what.size() - 1))) {
          bounds.add(new int[] {nr});
          what.add(d);
        }
        nr++;
      }
      tree(bounds, what, blocks, 0, bounds.size() - 1);
      for (Map.Entry<Object, String> block : blocks.entrySet()) {
        place(block.getValue());
        @SuppressWarnings("unchecked")
        List<Alternative> alts = (List<Alternative>) block.getKey();
        for (Alternative alt : alts) {
          String next = label();
          for (ArgCondition c : alt.conditions()) {
            condition(c, next);
          }
          ret(alt.action().ret());
          place(next);
        }
        ret(dflt.ret());
      }
      return resolve();
    }

    /** Binary search over intervals i..j (the number is in the accumulator). */
    private void tree(
        List<int[]> bounds, List<Object> what, Map<Object, String> blocks, int i, int j) {
      if (i == j) {
        Object d = what.get(i);
        if (d instanceof Integer value) {
          ret(value);
        } else {
          emit(Insn.JMP_JA, 0, 0, 0);
          code.get(code.size() - 1)[3] = blocks.get(d); // resolved as a label
        }
        return;
      }
      int mid = (i + j + 1) / 2;
      String right = label();
      emit(Insn.JMP_JGE_K, 0, 1, bounds.get(mid)[0]);
      emit(Insn.JMP_JA, 0, 0, 0);
      code.get(code.size() - 1)[3] = right;
      tree(bounds, what, blocks, i, mid - 1);
      place(right);
      tree(bounds, what, blocks, mid, j);
    }

    /** Falls through when the condition holds, jumps to {@code fail} when it does not. */
    private void condition(ArgCondition c, String fail) {
      int lo = OFF_ARGS + 8 * c.index();
      int hi = lo + 4;
      int vlo = (int) c.value();
      int vhi = (int) (c.value() >>> 32);
      String ok = label();
      switch (c.op()) {
        case EQ:
          load(hi);
          emit(Insn.JMP_JEQ_K, 0, fail, vhi);
          load(lo);
          emit(Insn.JMP_JEQ_K, 0, fail, vlo);
          break;
        case NE:
          load(hi);
          emit(Insn.JMP_JEQ_K, 0, ok, vhi);
          load(lo);
          emit(Insn.JMP_JEQ_K, fail, 0, vlo);
          break;
        case GT:
        case GE:
          load(hi);
          emit(Insn.JMP_JGT_K, ok, 0, vhi);
          emit(Insn.JMP_JEQ_K, 0, fail, vhi);
          load(lo);
          emit(c.op() == ArgCondition.Op.GT ? Insn.JMP_JGT_K : Insn.JMP_JGE_K, 0, fail, vlo);
          break;
        case LT:
        case LE:
          load(hi);
          emit(Insn.JMP_JGT_K, fail, 0, vhi);
          emit(Insn.JMP_JEQ_K, 0, ok, vhi);
          load(lo);
          emit(c.op() == ArgCondition.Op.LT ? Insn.JMP_JGE_K : Insn.JMP_JGT_K, fail, 0, vlo);
          break;
        case MASKED_EQ:
          int mlo = (int) c.value();
          int mhi = (int) (c.value() >>> 32);
          int wlo = (int) c.valueTwo();
          int whi = (int) (c.valueTwo() >>> 32);
          load(hi);
          emit(Insn.ALU_AND_K, 0, 0, mhi);
          emit(Insn.JMP_JEQ_K, 0, fail, whi);
          load(lo);
          emit(Insn.ALU_AND_K, 0, 0, mlo);
          emit(Insn.JMP_JEQ_K, 0, fail, wlo);
          break;
        default:
          throw new IllegalStateException("comparison " + c.op());
      }
      place(ok);
    }

    private BpfProgram resolve() {
      List<Insn> out = new ArrayList<>(code.size());
      for (int pc = 0; pc < code.size(); pc++) {
        Object[] c = code.get(pc);
        int op = (Integer) c[0];
        int k = c[3] instanceof String l ? target(l) - (pc + 1) : (Integer) c[3];
        out.add(new Insn(op, offset(c[1], pc), offset(c[2], pc), k));
      }
      return new BpfProgram(out);
    }

    private int offset(Object jump, int pc) {
      return jump instanceof String l ? target(l) - (pc + 1) : (Integer) jump;
    }

    private int target(String label) {
      Integer at = labels.get(label);
      if (at == null) {
        throw new IllegalStateException("unplaced label " + label);
      }
      return at;
    }
  }
}
