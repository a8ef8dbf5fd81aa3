package dev.bannerranker.trainer.item2vec;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.deeplearning4j.models.sequencevectors.interfaces.SequenceIterator;
import org.deeplearning4j.models.sequencevectors.sequence.Sequence;
import org.deeplearning4j.models.word2vec.VocabWord;

/**
 * item2vec's sessions in a file instead of in memory: per session an int token count, then each token as
 * {@link DataOutputStream#writeUTF} (tokens may hold spaces). The writer counts tokens per item, which item2vec's
 * checks need; {@link #iterator} reads the file again on every pass DL4J makes.
 */
public final class SessionFile {
  private final Path file;
  private final long sessions;
  private final long tokens;
  private final Map<String, Integer> counts;

  private SessionFile(Path file, long sessions, long tokens, Map<String, Integer> counts) {
    this.file = file;
    this.sessions = sessions;
    this.tokens = tokens;
    this.counts = counts;
  }

  public Path file() {
    return file;
  }

  public long sessions() {
    return sessions;
  }

  public long tokens() {
    return tokens;
  }

  /** Occurrences of each token. */
  public Map<String, Integer> counts() {
    return counts;
  }

  /** Every session, in file order (for tests and small files). */
  public List<List<String>> readAll() throws IOException {
    List<List<String>> out = new ArrayList<>();
    try (DataInputStream in = open()) {
      List<String> s;
      while ((s = next(in)) != null) {
        out.add(s);
      }
    }
    return out;
  }

  private DataInputStream open() throws IOException {
    return new DataInputStream(new BufferedInputStream(Files.newInputStream(file), 1 << 16));
  }

  private static List<String> next(DataInputStream in) throws IOException {
    int n;
    try {
      n = in.readInt();
    } catch (EOFException end) {
      return null;
    }
    List<String> s = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      s.add(in.readUTF());
    }
    return s;
  }

  /** A DL4J sequence iterator over the file; {@code reset} starts the file again. */
  public SequenceIterator<VocabWord> iterator() {
    return new SequenceIterator<>() {
      private DataInputStream in;
      private List<String> ahead;
      private boolean done;

      private void fill() {
        if (done || ahead != null) {
          return;
        }
        try {
          if (in == null) {
            in = open();
          }
          ahead = next(in);
          if (ahead == null) {
            in.close();
            in = null;
            done = true;
          }
        } catch (IOException e) {
          throw new UncheckedIOException("reading item2vec sessions from " + file, e);
        }
      }

      @Override
      public boolean hasMoreSequences() {
        fill();
        return ahead != null;
      }

      @Override
      public Sequence<VocabWord> nextSequence() {
        fill();
        if (ahead == null) {
          throw new java.util.NoSuchElementException();
        }
        Sequence<VocabWord> seq = Item2VecTrainer.sequence(ahead);
        ahead = null;
        return seq;
      }

      @Override
      public void reset() {
        try {
          if (in != null) {
            in.close();
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
        in = null;
        ahead = null;
        done = false;
      }
    };
  }

  /** Writes sessions to a new file. */
  public static final class Writer implements Closeable {
    private final Path file;
    private final DataOutputStream out;
    private final Map<String, Integer> counts = new HashMap<>();
    private long sessions;
    private long tokens;

    public Writer(Path file) throws IOException {
      this.file = file;
      out = new DataOutputStream(new BufferedOutputStream(Files.newOutputStream(file), 1 << 16));
    }

    public void write(List<String> session) {
      try {
        out.writeInt(session.size());
        for (String t : session) {
          out.writeUTF(t);
          counts.merge(t, 1, Integer::sum);
        }
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      sessions++;
      tokens += session.size();
    }

    /** Closes the file and returns it for reading. */
    public SessionFile finish() throws IOException {
      out.close();
      return new SessionFile(file, sessions, tokens, counts);
    }

    @Override
    public void close() throws IOException {
      out.close();
    }
  }
}
