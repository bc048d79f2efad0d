package dev.stamp.runtime.linux;

import jnr.ffi.Pointer;

/**
 * The slice of OpenSSL's libcrypto (libssl3, part of every Debian install) that Stamp calls through
 * jnr-ffi: SHA-256 ({@link NativeSha256}). glibc's functions stay in {@link LibC}.
 */
public interface LibCrypto {

  Pointer EVP_MD_CTX_new();

  void EVP_MD_CTX_free(Pointer ctx);

  Pointer EVP_sha256();

  int EVP_DigestInit_ex(Pointer ctx, Pointer type, Pointer engine);

  int EVP_DigestUpdate(Pointer ctx, Pointer data, long count);

  int EVP_DigestFinal_ex(Pointer ctx, Pointer md, Pointer size);
}
