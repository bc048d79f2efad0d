package dev.stamp.runtime.seccomp;

import dev.stamp.runtime.seccomp.BpfProgram.Insn;

/**
 * Runs a seccomp BPF program on one {@code struct seccomp_data} (nr, arch, six 64-bit args), as the
 * kernel would: the test's stand-in for a kernel, so the compiler's logic is checked without one.
 */
final class BpfInterpreter {

  private BpfInterpreter() {}

  static int run(BpfProgram program, SeccompArch arch, int nr, long... args) {
    return run(program, arch.auditArch(), nr, args);
  }

  static int run(BpfProgram program, int auditArch, int nr, long... args) {
    int[] data = new int[16];
    data[0] = nr;
    data[1] = auditArch;
    for (int i = 0; i < args.length; i++) {
      data[4 + 2 * i] = (int) args[i];
      data[5 + 2 * i] = (int) (args[i] >>> 32);
    }
    int a = 0;
    int pc = 0;
    int steps = 0;
    while (true) {
      if (pc >= program.instructions().size() || ++steps > 10_000) {
        throw new AssertionError("ran off the program at " + pc);
      }
      Insn i = program.instructions().get(pc++);
      switch (i.code()) {
        case Insn.LD_W_ABS:
          if (i.k() % 4 != 0 || i.k() < 0 || i.k() >= 64) {
            throw new AssertionError("bad load offset " + i.k());
          }
          a = data[i.k() / 4];
          break;
        case Insn.ALU_AND_K:
          a &= i.k();
          break;
        case Insn.JMP_JA:
          pc += i.k();
          break;
        case Insn.JMP_JEQ_K:
          pc += a == i.k() ? i.jt() : i.jf();
          break;
        case Insn.JMP_JGT_K:
          pc += Integer.compareUnsigned(a, i.k()) > 0 ? i.jt() : i.jf();
          break;
        case Insn.JMP_JGE_K:
          pc += Integer.compareUnsigned(a, i.k()) >= 0 ? i.jt() : i.jf();
          break;
        case Insn.RET_K:
          return i.k();
        default:
          throw new AssertionError("unknown opcode " + i.code());
      }
    }
  }
}
