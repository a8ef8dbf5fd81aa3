package dev.bannerranker.bundle;

import java.io.BufferedOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Named float32 tensors in one little-endian binary file. Layout (documented in docs/bundle-format.md):
 *
 * <pre>
 *   bytes 0-3   magic "BRTF"
 *   int32       layout version (1)
 *   int32       tensor count
 *   per tensor: uint16 name length, name (UTF-8), int32 rank, int32 dims[rank],
 *               float32 values[prod(dims)] in row-major order
 * </pre>
 */
public final class TensorFile {
  static final byte[] MAGIC = {'B', 'R', 'T', 'F'};
  static final int LAYOUT_VERSION = 1;

  private TensorFile() {}

  /** A tensor: shape and row-major values. */
  public record Tensor(int[] shape, float[] values) {
    public Tensor {
      long n = 1;
      for (int d : shape) {
        n *= d;
      }
      if (n != values.length) {
        throw new IllegalArgumentException("shape " + Arrays.toString(shape) + " needs " + n + " values, got " + values.length);
      }
    }

    public static Tensor vector(float[] v) {
      return new Tensor(new int[] {v.length}, v);
    }

    public static Tensor matrix(float[][] m) {
      int rows = m.length;
      int cols = rows == 0 ? 0 : m[0].length;
      float[] flat = new float[rows * cols];
      for (int r = 0; r < rows; r++) {
        System.arraycopy(m[r], 0, flat, r * cols, cols);
      }
      return new Tensor(new int[] {rows, cols}, flat);
    }

    public float[][] asMatrix() {
      if (shape.length != 2) {
        throw new IllegalStateException("tensor of rank " + shape.length + " is not a matrix");
      }
      float[][] m = new float[shape[0]][];
      for (int r = 0; r < shape[0]; r++) {
        m[r] = Arrays.copyOfRange(values, r * shape[1], (r + 1) * shape[1]);
      }
      return m;
    }
  }

  public static void write(Path file, Map<String, Tensor> tensors) throws IOException {
    try (OutputStream os = Files.newOutputStream(file);
        DataOutputStream out = new DataOutputStream(new BufferedOutputStream(os, 1 << 16))) {
      out.write(MAGIC);
      out.writeInt(Integer.reverseBytes(LAYOUT_VERSION));
      out.writeInt(Integer.reverseBytes(tensors.size()));
      for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
        byte[] name = e.getKey().getBytes(StandardCharsets.UTF_8);
        out.writeShort(Short.reverseBytes((short) name.length));
        out.write(name);
        int[] shape = e.getValue().shape();
        out.writeInt(Integer.reverseBytes(shape.length));
        for (int d : shape) {
          out.writeInt(Integer.reverseBytes(d));
        }
        ByteBuffer buf = ByteBuffer.allocate(e.getValue().values().length * 4).order(ByteOrder.LITTLE_ENDIAN);
        buf.asFloatBuffer().put(e.getValue().values());
        out.write(buf.array());
      }
    }
  }

  /** Reads every tensor, in file order. Any structural problem becomes a {@link BundleException}. */
  public static Map<String, Tensor> read(Path file) {
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new BundleException(file + ": cannot read: " + e.getMessage(), e);
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    try {
      byte[] magic = new byte[4];
      buf.get(magic);
      if (!Arrays.equals(magic, MAGIC)) {
        throw new BundleException(file + ": not a tensor file (bad magic bytes)");
      }
      int version = buf.getInt();
      if (version != LAYOUT_VERSION) {
        throw new BundleException(file + ": tensor layout version " + version + " is not supported (expected " + LAYOUT_VERSION + ")");
      }
      int count = buf.getInt();
      Map<String, Tensor> out = new LinkedHashMap<>();
      for (int t = 0; t < count; t++) {
        byte[] name = new byte[Short.toUnsignedInt(buf.getShort())];
        buf.get(name);
        int rank = buf.getInt();
        if (rank < 0 || rank > 8) {
          throw new BundleException(file + ": tensor " + (t + 1) + " has an invalid rank " + rank);
        }
        int[] shape = new int[rank];
        long n = 1;
        for (int i = 0; i < rank; i++) {
          shape[i] = buf.getInt();
          n *= shape[i];
        }
        if (n < 0 || n * 4 > buf.remaining()) {
          throw new BundleException(file + ": tensor '" + new String(name, StandardCharsets.UTF_8) + "' is truncated");
        }
        float[] values = new float[(int) n];
        buf.asFloatBuffer().get(values);
        buf.position(buf.position() + (int) n * 4);
        out.put(new String(name, StandardCharsets.UTF_8), new Tensor(shape, values));
      }
      if (buf.hasRemaining()) {
        throw new BundleException(file + ": " + buf.remaining() + " unexpected bytes after the last tensor");
      }
      return out;
    } catch (java.nio.BufferUnderflowException e) {
      throw new BundleException(file + ": truncated tensor file", e);
    }
  }
}
