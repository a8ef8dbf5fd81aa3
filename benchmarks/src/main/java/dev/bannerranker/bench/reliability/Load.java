package dev.bannerranker.bench.reliability;

import com.google.common.util.concurrent.FutureCallback;
import com.google.common.util.concurrent.Futures;
import com.google.common.util.concurrent.ListenableFuture;
import com.google.common.util.concurrent.MoreExecutors;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.BooleanSupplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/** Load drivers for the scenarios: closed loops on threads and an open loop at a fixed rate, with outcomes by code. */
final class Load {
  private Load() {}

  /** Starts call number {@code n}. */
  interface Call {
    ListenableFuture<?> start(long n);
  }

  /** Sees each finished call: when it was sent and ended ({@link System#nanoTime}) and its code (OK on success). */
  interface Observer {
    void done(long n, long sentNanos, long endNanos, Status.Code code);

    Observer NONE = (n, sent, end, code) -> {};
  }

  /** Outcomes of a run: successes, failures by code, and the latency of the successes. */
  static final class Tally implements Observer {
    final LongAdder ok = new LongAdder();
    final Map<Status.Code, LongAdder> errors = new ConcurrentHashMap<>();
    final Recorder latency = new Recorder(3);
    private final Observer next;
    private volatile long startNanos = System.nanoTime();
    private volatile long endNanos;

    Tally(Observer next) {
      this.next = next;
    }

    Tally() {
      this(Observer.NONE);
    }

    @Override
    public void done(long n, long sentNanos, long endNanos, Status.Code code) {
      if (code == Status.Code.OK) {
        ok.increment();
        latency.recordValue(Math.max(0, endNanos - sentNanos));
      } else {
        errors.computeIfAbsent(code, c -> new LongAdder()).increment();
      }
      next.done(n, sentNanos, endNanos, code);
    }

    void started() {
      startNanos = System.nanoTime();
    }

    void finished() {
      endNanos = System.nanoTime();
    }

    long errorCount() {
      return errors.values().stream().mapToLong(LongAdder::sum).sum();
    }

    long count(Status.Code code) {
      LongAdder a = errors.get(code);
      return a == null ? 0 : a.sum();
    }

    double okPerSecond() {
      return ok.sum() / Math.max(1e-9, (endNanos - startNanos) / 1e9);
    }

    Map<String, Long> errorsByCode() {
      Map<String, Long> out = new java.util.TreeMap<>();
      errors.forEach((c, n) -> out.put(c.name(), n.sum()));
      return out;
    }
  }

  /** Percentile of a histogram of nanoseconds, in milliseconds; NaN when it is empty. */
  static double ms(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? Double.NaN : h.getValueAtPercentile(percentile) / 1e6;
  }

  static Status.Code code(Throwable t) {
    if (t instanceof ExecutionException && t.getCause() != null) {
      t = t.getCause();
    }
    return Status.fromThrowable(t).getCode();
  }

  /**
   * {@code threads} threads, each sending one call and waiting for it, while {@code running} says so. After a failure a
   * thread pauses {@code backoffMillis}, so a service that refuses at once is not hammered by a spinning loop.
   */
  static List<Thread> closedLoop(String name, int threads, BooleanSupplier running, Call call, Observer observer,
      long backoffMillis) {
    AtomicLong counter = new AtomicLong();
    List<Thread> out = new ArrayList<>();
    for (int t = 0; t < threads; t++) {
      Thread th = new Thread(() -> {
        while (running.getAsBoolean()) {
          long n = counter.getAndIncrement();
          long sent = System.nanoTime();
          Status.Code code;
          try {
            call.start(n).get();
            code = Status.Code.OK;
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
          } catch (Exception e) {
            code = code(e);
          }
          observer.done(n, sent, System.nanoTime(), code);
          if (code != Status.Code.OK && backoffMillis > 0) {
            try {
              Thread.sleep(backoffMillis);
            } catch (InterruptedException e) {
              return;
            }
          }
        }
      }, name + "-" + t);
      th.setDaemon(true);
      th.start();
      out.add(th);
    }
    return out;
  }

  /** A closed loop for {@code seconds}, waited for. */
  static Tally closedLoopFor(String name, int threads, double seconds, Call call) throws InterruptedException {
    Tally tally = new Tally();
    long end = System.nanoTime() + (long) (seconds * 1e9);
    tally.started();
    join(closedLoop(name, threads, () -> System.nanoTime() < end, call, tally, 0));
    tally.finished();
    return tally;
  }

  static void join(List<Thread> threads) throws InterruptedException {
    for (Thread t : threads) {
      t.join();
    }
  }

  /** What an open loop did besides its outcomes: calls sent and how late the sender ran at worst. */
  record Sent(long calls, double seconds, double maxLagMs) {}

  /**
   * Calls at {@code rate} per second for {@code seconds}, each observed with its intended send time (so a stall
   * anywhere shows in the latencies), at most {@code maxInFlight} outstanding; waits for the last ones.
   */
  static Sent openLoop(double rate, double seconds, int maxInFlight, Call call, Observer observer)
      throws InterruptedException {
    Semaphore inFlight = new Semaphore(maxInFlight);
    long interval = Math.max(1, (long) (1e9 / rate));
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    long maxLag = 0;
    long n = 0;
    for (long intended = start; intended < end; intended = start + (++n) * interval) {
      long wait = intended - System.nanoTime();
      if (wait > 0) {
        TimeUnit.NANOSECONDS.sleep(wait);
      }
      inFlight.acquire();
      maxLag = Math.max(maxLag, System.nanoTime() - intended);
      long sent = intended;
      long number = n;
      ListenableFuture<?> f;
      try {
        f = call.start(number);
      } catch (RuntimeException e) {
        observer.done(number, sent, System.nanoTime(), code(e));
        inFlight.release();
        continue;
      }
      Futures.addCallback(f, new FutureCallback<Object>() {
        @Override
        public void onSuccess(Object result) {
          observer.done(number, sent, System.nanoTime(), Status.Code.OK);
          inFlight.release();
        }

        @Override
        public void onFailure(Throwable t) {
          observer.done(number, sent, System.nanoTime(), code(t));
          inFlight.release();
        }
      }, MoreExecutors.directExecutor());
    }
    double secs = (System.nanoTime() - start) / 1e9;
    inFlight.acquire(maxInFlight);
    return new Sent(n, secs, maxLag / 1e6);
  }
}
