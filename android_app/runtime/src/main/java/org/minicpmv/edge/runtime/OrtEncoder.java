package org.minicpmv.edge.runtime;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import java.nio.FloatBuffer;
import java.util.Collections;
import java.util.HashMap;
import java.util.Map;

/** The run side shared by the CPU and QNN encoders: one ORT session per square side, one input, one output. */
abstract class OrtEncoder implements EncoderSession {
  private final Map<Integer, OrtSession> sessions = new HashMap<Integer, OrtSession>();
  private final Map<Integer, FloatBuffer> inputs = new HashMap<Integer, FloatBuffer>();

  /** The session for side x side inputs, opened by the subclass (lazily or up front). */
  protected abstract OrtSession openSession(int side) throws EdgeException;

  protected final OrtSession session(int side) throws EdgeException {
    OrtSession s = sessions.get(side);
    if (s == null) {
      s = openSession(side);
      sessions.put(side, s);
    }
    return s;
  }

  @Override
  public float[] encode(float[] pixelValues, int side) throws EdgeException {
    if (pixelValues.length != 3 * side * side) {
      throw new EdgeException("encoder input has " + pixelValues.length + " values, expected 3x" + side + "x" + side);
    }
    OrtSession s = session(side);
    FloatBuffer in = inputs.get(side);
    if (in == null) {
      in = Ort.directFloats(pixelValues.length);
      inputs.put(side, in);
    }
    in.clear();
    in.put(pixelValues);
    in.flip();
    try (OnnxTensor x = Ort.tensor(in, new long[] {1, 3, side, side});
        OrtSession.Result r = s.run(Collections.singletonMap(s.getInputNames().iterator().next(), x))) {
      OnnxValue out = r.get(0);
      FloatBuffer fb = ((OnnxTensor) out).getFloatBuffer();
      float[] emb = new float[fb.remaining()];
      fb.get(emb);
      return emb;
    } catch (OrtException e) {
      throw new EdgeException(name() + " encoder failed on a " + side + "x" + side + " input: " + Ort.firstLine(e));
    }
  }

  @Override
  public void close() {
    for (OrtSession s : sessions.values()) {
      try {
        s.close();
      } catch (OrtException e) {
        // Closing frees native memory; a failure here leaves nothing for the caller to do.
      }
    }
    sessions.clear();
  }
}
