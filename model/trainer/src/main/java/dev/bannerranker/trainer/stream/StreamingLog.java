package dev.bannerranker.trainer.stream;

import static dev.bannerranker.data.CsvSchemas.*;

import dev.bannerranker.data.BadInputException;
import dev.bannerranker.data.Banner;
import dev.bannerranker.data.BehaviourEvent;
import dev.bannerranker.data.CsvTable;
import dev.bannerranker.data.DataProblems;
import dev.bannerranker.data.EventLogReader;
import dev.bannerranker.data.EventType;
import dev.bannerranker.data.Impression;
import dev.bannerranker.data.Platform;
import dev.bannerranker.data.UserProfile;
import dev.bannerranker.trainer.dataset.TimeSplit;
import java.io.Closeable;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The own format's four tables read in a bounded heap. The small tables (banners, users) are held; the events and
 * impressions are checked row by row with the in-memory reader's rules and go to an external sort by user, then
 * time, then file line, on disk. A second external sort, by impression id, finds repeated ids wherever the two rows
 * lie and joins the truth file. {@link #forEachUser} then replays the log one user at a time, each user's events and
 * impressions in the order the in-memory reader's time sort gives them.
 *
 * <p>Held in memory besides the small tables: 8 bytes per good impression (its time and line, which give each
 * impression its place in the time-sorted log), 4 per impression line when a truth file is present, one sort run of
 * records, and one record per run while merging.
 */
public final class StreamingLog implements Closeable {
  /** Records per sort run: about 100 MB of heap at the demo world's record sizes. */
  public static final int DEFAULT_RUN_SIZE = 250_000;
  private static final int EVENT = 0;
  private static final int IMPRESSION = 1;

  private final List<Banner> banners;
  private final List<UserProfile> users;
  private final DataProblems problems;
  private final Set<String> eventBrands;
  private final Set<String> eventCategories;
  private final ExternalSort<Rec> byUser;
  private final long events;
  /** Good impressions' (time << 31 | line), sorted: an impression's position is its index here. */
  private final long[] keys;
  /** Lines of impressions that repeat an earlier row's id, sorted. */
  private final long[] repeatedLines;
  /** True click rate by impression line; null without a truth file. */
  private final float[] truthByLine;
  private final String firstId;
  private final String lastId;
  private final Path work;

  /** One row of events.csv or impressions.csv with its line, the unit of the sort by user. */
  private record Rec(int kind, long line, BehaviourEvent event, Impression impression) {
    String user() {
      return kind == EVENT ? event.userId() : impression.userId();
    }

    long time() {
      return kind == EVENT ? event.timestamp() : impression.timestamp();
    }
  }

  private static final Comparator<Rec> USER_TIME_LINE = Comparator.comparing(Rec::user).thenComparingLong(Rec::time)
      .thenComparingInt(Rec::kind).thenComparingLong(Rec::line);

  /** A row of impressions.csv (kind 0) or of the truth file (kind 1) by its impression id, the unit of the id sort. */
  private record IdRec(String id, int kind, long line, long time, float ctr) {}

  private static final Comparator<IdRec> ID_KIND_LINE = Comparator.comparing(IdRec::id).thenComparingInt(IdRec::kind)
      .thenComparingLong(IdRec::line);

  private StreamingLog(List<Banner> banners, List<UserProfile> users, DataProblems problems, Set<String> eventBrands,
      Set<String> eventCategories, ExternalSort<Rec> byUser, long events, long[] keys, long[] repeatedLines,
      float[] truthByLine, String firstId, String lastId, Path work) {
    this.banners = banners;
    this.users = users;
    this.problems = problems;
    this.eventBrands = eventBrands;
    this.eventCategories = eventCategories;
    this.byUser = byUser;
    this.events = events;
    this.keys = keys;
    this.repeatedLines = repeatedLines;
    this.truthByLine = truthByLine;
    this.firstId = firstId;
    this.lastId = lastId;
    this.work = work;
  }

  /**
   * Reads {@code dir}, sorting into {@code work} (created; its run files are deleted on {@link #close}). Bad rows are
   * reported as the in-memory reader reports them, in file and line order; a file with too many fails with
   * {@link DataProblems.TooManyBadRows}.
   */
  public static StreamingLog read(Path dir, double maxBadFraction, Path work, int runSize) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new BadInputException(dir + ": not a directory");
    }
    DataProblems problems = new DataProblems(maxBadFraction);
    List<Banner> banners = List.copyOf(EventLogReader.readBanners(dir, problems));
    List<UserProfile> users = List.copyOf(EventLogReader.readUsers(dir, problems));
    Map<String, String> placementOfBanner = new HashMap<>();
    banners.forEach(b -> placementOfBanner.put(b.id(), b.placement()));
    Set<String> userIds = new HashSet<>();
    users.forEach(u -> userIds.add(u.id()));

    ExternalSort<Rec> byUser = new ExternalSort<>(work, "by-user", new RecCodec(), USER_TIME_LINE, runSize);
    boolean done = false;
    try (ExternalSort<IdRec> byId = new ExternalSort<>(work, "by-id", new IdRecCodec(), ID_KIND_LINE, runSize * 4)) {
      Set<String> brands = new HashSet<>();
      Set<String> categories = new HashSet<>();
      long[] eventCount = new long[1];
      CsvTable.read(dir, EVENTS_FILE, EVENTS_HEADER, row -> {
        BehaviourEvent e = EventLogReader.parseEvent(row);
        EventLogReader.checkUser(userIds, e.userId());
        return new Rec(EVENT, checkedLine(row.line()), e, null);
      }, r -> {
        byUser.add(r);
        brands.add(r.event().brand());
        categories.add(r.event().category());
        eventCount[0]++;
      }, problems);

      LongArray keys = new LongArray();
      CsvTable.read(dir, IMPRESSIONS_FILE, IMPRESSIONS_HEADER, IMPRESSIONS_OPTIONAL, row -> {
        Impression imp = EventLogReader.parseImpression(row);
        EventLogReader.checkImpression(imp, userIds, placementOfBanner);
        return new Rec(IMPRESSION, checkedLine(row.line()), null, imp);
      }, r -> {
        byUser.add(r);
        byId.add(new IdRec(r.impression().impressionId(), 0, r.line(), r.impression().timestamp(), 0f));
        keys.add(key(r.impression().timestamp(), r.line()));
      }, problems);
      boolean truth = Files.exists(dir.resolve(TRUTH_FILE));
      if (truth) {
        CsvTable.read(dir, TRUTH_FILE, TRUTH_HEADER, row -> new IdRec(row.text("impression_id"), 1, row.line(), 0,
            (float) row.decimal("true_ctr", 0, 1)), byId::add, problems);
      }
      // checked as the in-memory reader checks it; the streaming path trains clicks alone, so the values are not kept
      boolean conversionTruth = Files.exists(dir.resolve(CONVERSION_TRUTH_FILE));
      if (conversionTruth) {
        CsvTable.read(dir, CONVERSION_TRUTH_FILE, CONVERSION_TRUTH_HEADER, row -> new IdRec(row.text("impression_id"),
            2, row.line(), 0, (float) row.decimal("true_cvr", 0, 1)), byId::add, problems);
      }

      // The id sort: the first row of an id (in file order) is kept, a later one is bad, as the in-memory reader
      // finds them row by row; a truth row joins its impression's first row.
      LongArray repeated = new LongArray();
      FloatArray ctr = truth ? new FloatArray(Float.NaN) : null;
      long firstKey = Long.MAX_VALUE;
      long lastKey = Long.MIN_VALUE;
      String firstId = null;
      String lastId = null;
      try (ExternalSort.Merge<IdRec> m = byId.merged()) {
        while (m.hasNext()) {
          IdRec first = m.next();
          long kept = -1;
          if (first.kind() == 0) {
            kept = first.line();
            long k = key(first.time(), kept);
            if (k < firstKey) {
              firstKey = k;
              firstId = first.id();
            }
            if (k > lastKey) {
              lastKey = k;
              lastId = first.id();
            }
            while (m.hasNext() && m.peek().kind() == 0 && m.peek().id().equals(first.id())) {
              long line = m.next().line();
              problems.report(IMPRESSIONS_FILE, line, EventLogReader.repeated("impression_id", first.id()));
              repeated.add(line);
            }
          }
          IdRec next = first.kind() == 0 ? null : first;
          for (int kind = 1; kind <= 2; kind++) {
            boolean joined = false;
            String file = kind == 1 ? TRUTH_FILE : CONVERSION_TRUTH_FILE;
            IdRec t = next != null && next.kind() == kind ? next : null;
            if (t != null) {
              next = null;
            }
            while (t != null || (m.hasNext() && m.peek().kind() == kind && m.peek().id().equals(first.id()))) {
              if (t == null) {
                t = m.next();
              }
              if (kept < 0) {
                problems.report(file, t.line(), EventLogReader.truthWithoutImpression(t.id()));
              } else if (joined) {
                problems.report(file, t.line(), EventLogReader.repeated("impression_id", t.id()));
              } else {
                if (kind == 1) {
                  ctr.set(kept, t.ctr());
                }
                joined = true;
              }
              t = null;
            }
          }
        }
      }
      problems.orderByLine();
      problems.checkLimit(IMPRESSIONS_FILE);
      if (truth) {
        problems.checkLimit(TRUTH_FILE);
      }
      if (conversionTruth) {
        problems.checkLimit(CONVERSION_TRUTH_FILE);
      }
      long[] repeatedLines = repeated.sorted();
      long[] sortedKeys = keys.sortedWithout(repeatedLines);
      if (sortedKeys.length == 0) {
        throw new BadInputException(dir.resolve(IMPRESSIONS_FILE) + ": no good impression rows");
      }
      StreamingLog log = new StreamingLog(banners, users, problems, brands, categories, byUser, eventCount[0],
          sortedKeys, repeatedLines, ctr == null ? null : ctr.toArray(), firstId, lastId, work);
      done = true;
      return log;
    } catch (ExternalSort.SpillFailed e) {
      throw e.getCause();
    } finally {
      if (!done) {
        byUser.close();
      }
    }
  }

  /** A line number fits the 31 bits of a key. */
  private static long checkedLine(long line) {
    if (line >= 1L << 31) {
      throw new BadInputException("line " + line + ": a table of more than 2^31 lines is too long to read");
    }
    return line;
  }

  static long key(long time, long line) {
    return time << 31 | line;
  }

  static long lineOf(long key) {
    return key & ((1L << 31) - 1);
  }

  static long timeOf(long key) {
    return key >>> 31;
  }

  public List<Banner> banners() {
    return banners;
  }

  public List<UserProfile> users() {
    return users;
  }

  public DataProblems problems() {
    return problems;
  }

  public Set<String> eventBrands() {
    return eventBrands;
  }

  public Set<String> eventCategories() {
    return eventCategories;
  }

  public long events() {
    return events;
  }

  public long impressions() {
    return keys.length;
  }

  public boolean hasTruth() {
    return truthByLine != null;
  }

  /** The split of {@code TimeSplit.lastDays} over the good impressions, with its checks. */
  public TimeSplit lastDays(int validDays, int testDays) {
    long firstTime = timeOf(keys[0]);
    long lastTime = timeOf(keys[keys.length - 1]);
    TimeSplit s = TimeSplit.lastDays(lastTime, validDays, testDays);
    long[] counts = new long[3];
    for (long k : keys) {
      counts[s.partOf(timeOf(k))]++;
    }
    return TimeSplit.check(s, counts, firstId, firstTime, lastId, lastTime);
  }

  /** One user's part of the log, in log order. */
  public record UserLog(String userId, List<BehaviourEvent> events, List<Impression> impressions, long[] positions,
      float[] trueCtr) {}

  /** Called once per user. */
  @FunctionalInterface
  public interface UserVisitor {
    void visit(UserLog user) throws IOException;
  }

  /** Replays the log one user at a time, users in id order; each call reads the sorted runs again. */
  public void forEachUser(UserVisitor visitor) throws IOException {
    try (ExternalSort.Merge<Rec> m = byUser.merged()) {
      List<BehaviourEvent> evs = new ArrayList<>();
      List<Impression> imps = new ArrayList<>();
      LongArray positions = new LongArray();
      FloatArray truth = new FloatArray(Float.NaN);
      while (m.hasNext()) {
        Rec first = m.peek();
        String user = first.user();
        evs.clear();
        imps.clear();
        positions.clear();
        truth.clear();
        while (m.hasNext() && m.peek().user().equals(user)) {
          Rec r = m.next();
          if (r.kind() == EVENT) {
            evs.add(r.event());
          } else if (Arrays.binarySearch(repeatedLines, r.line()) < 0) {
            imps.add(r.impression());
            long p = Arrays.binarySearch(keys, key(r.impression().timestamp(), r.line()));
            positions.add(p);
            truth.add(truthByLine == null || r.line() >= truthByLine.length ? Float.NaN : truthByLine[(int) r.line()]);
          }
        }
        visitor.visit(new UserLog(user, List.copyOf(evs), List.copyOf(imps), positions.toArray(),
            truth.toArray()));
      }
    }
  }

  @Override
  public void close() throws IOException {
    byUser.close();
  }

  /** Where the runs are. */
  public Path work() {
    return work;
  }

  private static final class RecCodec implements ExternalSort.Codec<Rec> {
    @Override
    public void write(DataOutputStream out, Rec r) throws IOException {
      out.writeByte(r.kind());
      out.writeLong(r.line());
      if (r.kind() == EVENT) {
        BehaviourEvent e = r.event();
        out.writeUTF(e.userId());
        out.writeLong(e.timestamp());
        out.writeByte(e.type().ordinal());
        out.writeUTF(e.brand());
        out.writeUTF(e.category());
        out.writeByte(e.priceTier());
        out.writeFloat(e.dwellSeconds());
      } else {
        Impression i = r.impression();
        out.writeUTF(i.impressionId());
        out.writeUTF(i.userId());
        out.writeLong(i.timestamp());
        out.writeUTF(i.bannerId());
        out.writeUTF(i.placement());
        out.writeShort(i.slotPosition());
        out.writeByte(i.platform().ordinal());
        out.writeBoolean(i.clicked());
        out.writeUTF(i.requestId());
        out.writeDouble(i.propensity());
        out.writeBoolean(i.converted());
      }
    }

    @Override
    public Rec read(DataInputStream in) throws IOException {
      int kind = in.readByte();
      long line = in.readLong();
      if (kind == EVENT) {
        return new Rec(kind, line, new BehaviourEvent(in.readUTF(), in.readLong(), EVENT_TYPES[in.readByte()],
            in.readUTF(), in.readUTF(), in.readByte(), in.readFloat()), null);
      }
      return new Rec(kind, line, null, new Impression(in.readUTF(), in.readUTF(), in.readLong(), in.readUTF(),
          in.readUTF(), in.readShort(), PLATFORMS[in.readByte()], in.readBoolean(), in.readUTF(), in.readDouble(),
          in.readBoolean()));
    }
  }

  private static final EventType[] EVENT_TYPES = EventType.values();
  private static final Platform[] PLATFORMS = Platform.values();

  private static final class IdRecCodec implements ExternalSort.Codec<IdRec> {
    @Override
    public void write(DataOutputStream out, IdRec r) throws IOException {
      out.writeUTF(r.id());
      out.writeByte(r.kind());
      out.writeLong(r.line());
      out.writeLong(r.time());
      out.writeFloat(r.ctr());
    }

    @Override
    public IdRec read(DataInputStream in) throws IOException {
      return new IdRec(in.readUTF(), in.readByte(), in.readLong(), in.readLong(), in.readFloat());
    }
  }

  /** A growable long[]. */
  static final class LongArray {
    private long[] a = new long[1024];
    private int n;

    void add(long v) {
      if (n == a.length) {
        a = Arrays.copyOf(a, a.length * 2);
      }
      a[n++] = v;
    }

    void clear() {
      n = 0;
    }

    long[] toArray() {
      return Arrays.copyOf(a, n);
    }

    long[] sorted() {
      long[] out = toArray();
      Arrays.sort(out);
      return out;
    }

    /** The keys sorted, without those whose line is in {@code lines} (sorted). */
    long[] sortedWithout(long[] lines) {
      long[] out = a;
      int m = 0;
      for (int i = 0; i < n; i++) {
        if (Arrays.binarySearch(lines, lineOf(a[i])) < 0) {
          out[m++] = a[i];
        }
      }
      a = null; // sorted in place: the array is large
      long[] kept = m == out.length ? out : Arrays.copyOf(out, m);
      Arrays.sort(kept);
      return kept;
    }
  }

  /** A growable float[]; cells never set hold {@code fill}. */
  static final class FloatArray {
    private final float fill;
    private float[] a = new float[1024];
    private int n;

    FloatArray(float fill) {
      this.fill = fill;
      Arrays.fill(a, fill);
    }

    private void grow(long size) {
      while (size > a.length) {
        int old = a.length;
        a = Arrays.copyOf(a, a.length * 2);
        Arrays.fill(a, old, a.length, fill);
      }
    }

    void set(long i, float v) {
      grow(i + 1);
      a[(int) i] = v;
      n = (int) Math.max(n, i + 1);
    }

    void add(float v) {
      set(n, v);
    }

    void clear() {
      Arrays.fill(a, 0, n, fill);
      n = 0;
    }

    float[] toArray() {
      return Arrays.copyOf(a, n);
    }
  }
}
