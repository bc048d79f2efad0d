package dev.stamp.runtime.linux;

import java.lang.ref.Cleaner;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import jnr.ffi.LibraryLoader;
import jnr.ffi.Memory;
import jnr.ffi.Pointer;
import jnr.ffi.Runtime;

/**
 * SHA-256 that hashes large content through libcrypto ({@link LibCrypto}: SHA-NI/AVX2 code, ~1.5
 * GB/s here whatever the JIT does). The JDK's SHA-256 is fast only as a C2 intrinsic, and the CLI
 * runs with C1 alone ({@code -XX:TieredStopAtLevel=1}): 215 MB took 3–4 s there, 0.4 s under C2.
 * The first {@link #SMALL} bytes are only kept; a digest that ends within them is the JDK's (no
 * library is loaded for a config or a manifest), one that grows past them moves to libcrypto. When
 * libcrypto cannot be loaded, or answers a known input wrongly, it is the JDK's throughout.
 */
public final class NativeSha256 extends MessageDigest {

  /** Bytes below which the JDK hashes (kept until a digest ends or more arrive). */
  static final int SMALL = 1 << 20;

  private static final int STAGE = 1 << 20;
  private static final Cleaner CLEANER = Cleaner.create();

  private static volatile boolean prepared;

  private static final class Holder {
    static final LibCrypto CRYPTO = load();
  }

  private byte[] small = new byte[8192];
  private int smallCount;
  private Native lib; // once past SMALL with libcrypto present
  private MessageDigest jdk; // once past SMALL without it

  private NativeSha256() {
    super("SHA-256");
  }

  /** A fresh SHA-256 digest. */
  public static MessageDigest create() {
    return new NativeSha256();
  }

  /**
   * Loads libcrypto on a thread of its own, for a caller that will hash large content soon and has
   * other start-up work meanwhile (a pull, while it asks for the manifest): binding it costs a
   * fresh JVM ~60 ms (jnr-ffi's set-up), which then overlaps that work instead of adding to it.
   */
  public static void prepare() {
    if (prepared) {
      return; // bound, or being bound, already (a long-lived agent pulls many times)
    }
    prepared = true;
    Thread t = new Thread(NativeSha256::available, "stamp-libcrypto-init");
    t.setDaemon(true);
    t.start();
  }

  /** Whether libcrypto's SHA-256 is in use for large content (loads it on first call). */
  public static boolean available() {
    return Holder.CRYPTO != null;
  }

  @Override
  protected int engineGetDigestLength() {
    return 32;
  }

  @Override
  protected void engineUpdate(byte input) {
    engineUpdate(new byte[] {input}, 0, 1);
  }

  @Override
  protected void engineUpdate(byte[] input, int offset, int len) {
    if (lib != null) {
      lib.update(input, offset, len);
    } else if (jdk != null) {
      jdk.update(input, offset, len);
    } else if (smallCount + len <= SMALL) {
      if (smallCount + len > small.length) {
        small = Arrays.copyOf(small, Math.min(SMALL, Math.max(small.length * 2, smallCount + len)));
      }
      System.arraycopy(input, offset, small, smallCount, len);
      smallCount += len;
    } else {
      if (available()) {
        lib = new Native(Holder.CRYPTO);
        lib.update(small, 0, smallCount);
        lib.update(input, offset, len);
      } else {
        jdk = jdkSha256();
        jdk.update(small, 0, smallCount);
        jdk.update(input, offset, len);
      }
      small = new byte[8192];
      smallCount = 0;
    }
  }

  /**
   * A direct buffer's bytes go to libcrypto where they are, without the staging copy (what {@code
   * BlobWriter} feeds); a heap buffer's through {@link #engineUpdate(byte[], int, int)}.
   */
  @Override
  protected void engineUpdate(ByteBuffer input) {
    if (!input.isDirect()) {
      if (input.hasArray()) {
        int n = input.remaining();
        engineUpdate(input.array(), input.arrayOffset() + input.position(), n);
        input.position(input.limit());
      } else {
        super.engineUpdate(input);
      }
      return;
    }
    int len = input.remaining();
    if (lib == null && jdk == null) {
      if (smallCount + len <= SMALL) {
        if (smallCount + len > small.length) {
          small =
              Arrays.copyOf(small, Math.min(SMALL, Math.max(small.length * 2, smallCount + len)));
        }
        input.get(small, smallCount, len);
        smallCount += len;
        return;
      }
      if (available()) {
        lib = new Native(Holder.CRYPTO);
        lib.update(small, 0, smallCount);
      } else {
        jdk = jdkSha256();
        jdk.update(small, 0, smallCount);
      }
      small = new byte[8192];
      smallCount = 0;
    }
    if (lib != null) {
      lib.update(input);
    } else {
      jdk.update(input);
    }
  }

  @Override
  protected byte[] engineDigest() {
    byte[] result;
    if (lib != null) {
      result = lib.digest();
    } else if (jdk != null) {
      result = jdk.digest();
    } else {
      MessageDigest md = jdkSha256();
      md.update(small, 0, smallCount);
      result = md.digest();
    }
    engineReset();
    return result;
  }

  @Override
  protected void engineReset() {
    lib = null; // its context is freed by the cleaner
    jdk = null;
    smallCount = 0;
  }

  private static MessageDigest jdkSha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 missing from the JDK", e);
    }
  }

  private static LibCrypto load() {
    if ("false".equals(System.getProperty("stamp.nativeSha256"))) {
      return null;
    }
    for (String name : new String[] {"crypto", "libcrypto.so.3"}) {
      try {
        LibCrypto crypto = LibraryLoader.create(LibCrypto.class).failImmediately().load(name);
        byte[] probe = "stamp".repeat(1000).getBytes(StandardCharsets.UTF_8);
        Native n = new Native(crypto);
        n.update(probe, 0, probe.length);
        if (Arrays.equals(n.digest(), jdkSha256().digest(probe))) {
          return crypto;
        }
      } catch (RuntimeException | LinkageError e) {
        // not this name: the next one, else the JDK's
      }
    }
    return null;
  }

  /** One libcrypto context, fed through a native staging buffer. */
  private static final class Native {
    private final LibCrypto crypto;
    private final Pointer ctx;
    private final Pointer stage;

    Native(LibCrypto crypto) {
      this.crypto = crypto;
      Pointer context = crypto.EVP_MD_CTX_new();
      if (context == null) {
        throw new IllegalStateException("libcrypto: EVP_MD_CTX_new failed");
      }
      this.ctx = context;
      CLEANER.register(this, () -> crypto.EVP_MD_CTX_free(context));
      if (crypto.EVP_DigestInit_ex(ctx, crypto.EVP_sha256(), null) != 1) {
        throw new IllegalStateException("libcrypto: EVP_DigestInit_ex(sha256) failed");
      }
      this.stage = Memory.allocateDirect(Runtime.getRuntime(crypto), STAGE);
    }

    void update(byte[] input, int offset, int len) {
      while (len > 0) {
        int n = Math.min(len, STAGE);
        stage.put(0, input, offset, n);
        if (crypto.EVP_DigestUpdate(ctx, stage, n) != 1) {
          throw new IllegalStateException("libcrypto: EVP_DigestUpdate failed");
        }
        offset += n;
        len -= n;
      }
    }

    /** Hashes a direct buffer's remaining bytes in place (it is left at its limit). */
    void update(ByteBuffer direct) {
      int len = direct.remaining();
      if (len == 0) {
        return;
      }
      Pointer at = Pointer.wrap(Runtime.getRuntime(crypto), direct.slice());
      if (crypto.EVP_DigestUpdate(ctx, at, len) != 1) {
        throw new IllegalStateException("libcrypto: EVP_DigestUpdate failed");
      }
      direct.position(direct.limit());
    }

    byte[] digest() {
      if (crypto.EVP_DigestFinal_ex(ctx, stage, null) != 1) {
        throw new IllegalStateException("libcrypto: EVP_DigestFinal_ex failed");
      }
      byte[] out = new byte[32];
      stage.get(0, out, 0, 32);
      return out;
    }
  }
}
