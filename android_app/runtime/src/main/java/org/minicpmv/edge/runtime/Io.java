package org.minicpmv.edge.runtime;

import java.io.File;
import java.io.FileInputStream;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;

/** File helpers shared by the runtime: whole-file reads, and atomic writes (temp path, then rename). */
final class Io {
  private Io() {}

  static byte[] readAll(File f) throws IOException {
    long n = f.length();
    if (n > Integer.MAX_VALUE) {
      throw new IOException(f + " is too large to read whole");
    }
    byte[] out = new byte[(int) n];
    try (InputStream in = new FileInputStream(f)) {
      int off = 0;
      while (off < out.length) {
        int r = in.read(out, off, out.length - off);
        if (r < 0) {
          throw new IOException(f + " shrank while being read");
        }
        off += r;
      }
    }
    return out;
  }

  static void writeAtomic(File target, byte[] data) throws IOException {
    File dir = target.getAbsoluteFile().getParentFile();
    if (dir != null && !dir.isDirectory() && !dir.mkdirs()) {
      throw new IOException("cannot create " + dir);
    }
    File tmp = new File(dir, "." + target.getName() + ".tmp-" + System.nanoTime());
    try (OutputStream out = new FileOutputStream(tmp)) {
      out.write(data);
      out.flush();
    }
    if (!tmp.renameTo(target)) {
      tmp.delete();
      throw new IOException("cannot rename " + tmp + " to " + target);
    }
  }
}
