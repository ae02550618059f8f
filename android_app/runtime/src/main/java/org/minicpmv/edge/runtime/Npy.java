package org.minicpmv.edge.runtime;

import java.io.File;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A 1-D or 2-D little-endian .npy array, memory-mapped read-only: only the pages of rows that are read become
 * resident (the decoder's embedding table is 283 MB at 2.0 size, and a prompt touches a few hundred rows).
 */
final class Npy {
  /** numpy dtype string, e.g. "|i1", "<f2", "<f4". */
  final String dtype;

  final long[] shape;
  final ByteBuffer data;

  private Npy(String dtype, long[] shape, ByteBuffer data) {
    this.dtype = dtype;
    this.shape = shape;
    this.data = data;
  }

  private static final Pattern DESCR = Pattern.compile("'descr':\\s*'([^']+)'");
  private static final Pattern FORTRAN = Pattern.compile("'fortran_order':\\s*(True|False)");
  private static final Pattern SHAPE = Pattern.compile("'shape':\\s*\\(([^)]*)\\)");

  static Npy map(File file) throws BundleException {
    try (RandomAccessFile raf = new RandomAccessFile(file, "r")) {
      FileChannel ch = raf.getChannel();
      ByteBuffer head = ByteBuffer.allocate(12).order(ByteOrder.LITTLE_ENDIAN);
      ch.read(head, 0);
      head.flip();
      byte[] magic = new byte[6];
      head.get(magic);
      if (head.remaining() < 6 || magic[0] != (byte) 0x93 || !new String(magic, 1, 5, StandardCharsets.ISO_8859_1).equals("NUMPY")) {
        throw new BundleException(file + " is not a .npy file");
      }
      int major = head.get() & 0xff;
      head.get();
      long headerLen = major == 1 ? (head.getShort() & 0xffff) : (head.getInt() & 0xffffffffL);
      long start = major == 1 ? 10 : 12;
      ByteBuffer hb = ByteBuffer.allocate((int) headerLen);
      ch.read(hb, start);
      String header = new String(hb.array(), StandardCharsets.ISO_8859_1);
      Matcher d = DESCR.matcher(header);
      Matcher f = FORTRAN.matcher(header);
      Matcher s = SHAPE.matcher(header);
      if (!d.find() || !f.find() || !s.find() || f.group(1).equals("True")) {
        throw new BundleException(file + " has an unsupported .npy header: " + header.trim());
      }
      String[] dims = s.group(1).split(",");
      int n = 0;
      long[] shape = new long[dims.length];
      long count = 1;
      for (String dim : dims) {
        if (!dim.trim().isEmpty()) {
          shape[n] = Long.parseLong(dim.trim());
          count *= shape[n++];
        }
      }
      long[] exact = new long[n];
      System.arraycopy(shape, 0, exact, 0, n);
      String dtype = d.group(1);
      long bytes = count * itemSize(dtype, file);
      long offset = start + headerLen;
      if (offset + bytes > ch.size()) {
        throw new BundleException(file + " is truncated");
      }
      if (bytes > Integer.MAX_VALUE) {
        throw new BundleException(file + " is over 2 GiB, more than one mapping holds");
      }
      MappedByteBuffer mapped = ch.map(FileChannel.MapMode.READ_ONLY, offset, bytes);
      mapped.order(ByteOrder.LITTLE_ENDIAN);
      return new Npy(dtype, exact, mapped);
    } catch (IOException e) {
      throw new BundleException("cannot read " + file + ": " + e.getMessage());
    }
  }

  private static int itemSize(String dtype, File file) throws BundleException {
    if (dtype.equals("|i1") || dtype.equals("|u1")) {
      return 1;
    }
    if (dtype.equals("<f2")) {
      return 2;
    }
    if (dtype.equals("<f4")) {
      return 4;
    }
    throw new BundleException(file + " has dtype " + dtype + "; expected int8, float16 or float32");
  }

  /** IEEE 754 half -> float (exact; Java 8 has no Float.float16ToFloat). */
  static float halfToFloat(short h) {
    int bits = h & 0xffff;
    int sign = (bits & 0x8000) << 16;
    int exp = (bits >> 10) & 0x1f;
    int mant = bits & 0x3ff;
    if (exp == 0x1f) {
      return Float.intBitsToFloat(sign | 0x7f800000 | (mant << 13));
    }
    if (exp == 0) {
      if (mant == 0) {
        return Float.intBitsToFloat(sign);
      }
      float v = mant * (1.0f / (1 << 24));
      return sign != 0 ? -v : v;
    }
    return Float.intBitsToFloat(sign | ((exp + 112) << 23) | (mant << 13));
  }
}
