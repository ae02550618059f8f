package org.minicpmv.edge.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.io.File;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.IntBuffer;

/** Small ONNX Runtime helpers shared by the encoder and decoder sessions. */
final class Ort {
  private Ort() {}

  static OrtEnvironment env() {
    return OrtEnvironment.getEnvironment();
  }

  static OrtSession.SessionOptions cpuOptions(int threads) throws OrtException {
    OrtSession.SessionOptions so = new OrtSession.SessionOptions();
    so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
    if (threads > 0) {
      so.setIntraOpNumThreads(threads);
    }
    return so;
  }

  static OrtSession open(File model, OrtSession.SessionOptions options) throws EdgeException {
    try {
      return env().createSession(model.getPath(), options);
    } catch (OrtException e) {
      throw new EdgeException("ONNX Runtime cannot load " + model + ": " + firstLine(e));
    }
  }

  /** A float tensor over a direct buffer (ORT reads and writes it in place, no copy). */
  static OnnxTensor tensor(FloatBuffer direct, long[] shape) throws OrtException {
    return OnnxTensor.createTensor(env(), direct, shape);
  }

  static FloatBuffer directFloats(long count) {
    if (count * 4 > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(count + " floats do not fit one direct buffer");
    }
    return ByteBuffer.allocateDirect((int) (count * 4)).order(ByteOrder.nativeOrder()).asFloatBuffer();
  }

  static IntBuffer directInts(int count) {
    return ByteBuffer.allocateDirect(count * 4).order(ByteOrder.nativeOrder()).asIntBuffer();
  }

  static String firstLine(Throwable e) {
    String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage().trim();
    int nl = m.indexOf('\n');
    m = nl >= 0 ? m.substring(0, nl) : m;
    return m.length() > 300 ? m.substring(0, 300) : m;
  }
}
