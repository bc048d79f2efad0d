package dev.stamp.runtime.linux;

/** errno values Stamp reacts to (x86_64 Linux). */
public final class Errno {
  public static final int EPERM = 1;
  public static final int ENOENT = 2;
  public static final int ESRCH = 3;
  public static final int ENXIO = 6;
  public static final int EINTR = 4;
  public static final int EBADF = 9;
  public static final int ECHILD = 10;
  public static final int EAGAIN = 11;
  public static final int EACCES = 13;
  public static final int EBUSY = 16;
  public static final int EEXIST = 17;
  public static final int EXDEV = 18;
  public static final int ENODEV = 19;
  public static final int ENOTDIR = 20;
  public static final int EINVAL = 22;
  public static final int ENOSPC = 28;
  public static final int EROFS = 30;
  public static final int ELOOP = 40;
  public static final int ENODATA = 61;
  public static final int ERANGE = 34;
  public static final int ENOTEMPTY = 39;
  public static final int ENOSYS = 38;
  public static final int ENOTSUP = 95;

  private Errno() {}
}
