package dev.stamp.runtime.seccomp;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.List;

/**
 * A classic BPF program ({@code struct sock_filter[]}) as the kernel's {@code
 * SECCOMP_SET_MODE_FILTER} takes it: {@link #bytes} is the array in this machine's byte order, 8
 * bytes an instruction, which the shim hands to the kernel unchanged.
 */
public record BpfProgram(List<Insn> instructions) {

  /** The kernel's limit ({@code BPF_MAXINSNS}). */
  public static final int MAX_INSTRUCTIONS = 4096;

  public BpfProgram {
    instructions = List.copyOf(instructions);
    if (instructions.isEmpty() || instructions.size() > MAX_INSTRUCTIONS) {
      throw new IllegalArgumentException(
          "a BPF program has 1 to 4096 instructions, not " + instructions.size());
    }
  }

  /** One {@code struct sock_filter}: opcode, jump offsets if true and if false, constant. */
  public record Insn(int code, int jt, int jf, int k) {
    public static final int LD_W_ABS = 0x20;
    public static final int ALU_AND_K = 0x54;
    public static final int JMP_JA = 0x05;
    public static final int JMP_JEQ_K = 0x15;
    public static final int JMP_JGT_K = 0x25;
    public static final int JMP_JGE_K = 0x35;
    public static final int RET_K = 0x06;

    public Insn {
      if (jt < 0 || jt > 255 || jf < 0 || jf > 255) {
        throw new IllegalArgumentException("BPF jump offset out of 0..255: " + jt + ", " + jf);
      }
    }
  }

  /** The program as {@code struct sock_filter[]}, native byte order. */
  public byte[] bytes() {
    ByteBuffer b = ByteBuffer.allocate(instructions.size() * 8).order(ByteOrder.nativeOrder());
    for (Insn i : instructions) {
      b.putShort((short) i.code()).put((byte) i.jt()).put((byte) i.jf()).putInt(i.k());
    }
    return b.array();
  }

  /** Reads {@link #bytes} back. */
  public static BpfProgram of(byte[] bytes) {
    if (bytes.length % 8 != 0) {
      throw new IllegalArgumentException("not a whole number of BPF instructions: " + bytes.length);
    }
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.nativeOrder());
    java.util.ArrayList<Insn> out = new java.util.ArrayList<>();
    while (b.hasRemaining()) {
      int code = b.getShort() & 0xffff;
      int jt = b.get() & 0xff;
      int jf = b.get() & 0xff;
      out.add(new Insn(code, jt, jf, b.getInt()));
    }
    return new BpfProgram(out);
  }
}
