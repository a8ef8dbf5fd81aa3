package dev.bannerranker.cli;

import dev.bannerranker.bundle.BundleException;
import dev.bannerranker.data.BadInputException;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.UncheckedIOException;

/**
 * The exit codes of every {@code bin/ranker} command, offline and online (docs/commands.md), and the one mapping
 * from a command's failure to its code and message. Here, in the runtime, because the trainer's and the service's
 * command lines both depend on it and on nothing of each other.
 */
public final class ExitCodes {
  /** The command did what it was asked. */
  public static final int OK = 0;
  /** Anything not foreseen below, and running out of memory; picocli's {@code ExitCode.SOFTWARE}. */
  public static final int UNEXPECTED = 1;
  /** A missing or bad option or argument; picocli's {@code ExitCode.USAGE}, which its own parse errors return. */
  public static final int USAGE = 2;
  /** Input data that cannot be used ({@link BadInputException}). */
  public static final int BAD_DATA = 3;
  /** A model bundle that cannot be loaded or written ({@link BundleException}). */
  public static final int BAD_BUNDLE = 4;
  /** A file or network operation that failed ({@link IOException}, {@link UncheckedIOException}). */
  public static final int IO = 5;

  private ExitCodes() {}

  /**
   * Prints {@code error: ...} for the failure to {@code err} (with the stack trace when it is unexpected) and
   * returns its exit code.
   */
  public static int report(Throwable failure, PrintWriter err) {
    return report(failure, messageOf(failure), err);
  }

  /**
   * The failure's message; for a file-system failure, whose own message is often the bare path, the path and what
   * went wrong ("permission denied", "is not a directory", ...).
   */
  public static String messageOf(Throwable failure) {
    Throwable f = failure instanceof UncheckedIOException u && u.getCause() != null ? u.getCause() : failure;
    if (!(f instanceof java.nio.file.FileSystemException fs) || fs.getFile() == null) {
      return failure.getMessage();
    }
    String what;
    if (fs.getReason() != null) {
      what = fs.getReason();
    } else if (fs instanceof java.nio.file.AccessDeniedException) {
      what = "permission denied";
    } else if (fs instanceof java.nio.file.NoSuchFileException) {
      what = "no such file or directory";
    } else if (fs instanceof java.nio.file.FileAlreadyExistsException) {
      what = "already exists";
    } else if (fs instanceof java.nio.file.NotDirectoryException) {
      what = "is not a directory";
    } else if (fs instanceof java.nio.file.DirectoryNotEmptyException) {
      what = "directory not empty";
    } else {
      what = fs.getClass().getSimpleName();
    }
    return fs.getFile() + (fs.getOtherFile() == null ? "" : " -> " + fs.getOtherFile()) + ": " + what;
  }

  /** As {@link #report(Throwable, PrintWriter)}, printing {@code message} in place of the failure's own. */
  public static int report(Throwable failure, String message, PrintWriter err) {
    int code = codeOf(failure);
    OutOfMemoryError oom = outOfMemory(failure);
    if (oom != null) {
      // a stack trace says nothing here: the input did not fit in the heap, wherever the last allocation was
      err.println("error: out of memory (" + oom.getMessage() + ") with a maximum Java heap of "
          + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB: the input is too large for this heap. Raise it, e.g. "
          + "RANKER_JAVA_OPTS=-Xmx8g bin/ranker ..., or use a smaller input; train --rows DIR --streaming keeps the "
          + "log and the rows on disk.");
      err.flush();
      return code;
    }
    switch (code) {
      case BAD_DATA -> err.println("error: bad input data: " + message);
      case BAD_BUNDLE -> err.println("error: bad bundle: " + message);
      case USAGE, IO -> err.println("error: " + message);
      default -> {
        err.println("error: unexpected failure: " + failure);
        failure.printStackTrace(err);
      }
    }
    err.flush();
    return code;
  }

  /** The exit code of a command that failed with {@code failure}. */
  public static int codeOf(Throwable failure) {
    if (outOfMemory(failure) != null) {
      return UNEXPECTED;
    }
    if (failure instanceof BadInputException) {
      return BAD_DATA;
    }
    if (failure instanceof BundleException) {
      return BAD_BUNDLE;
    }
    if (failure instanceof IllegalArgumentException) {
      return USAGE;
    }
    if (failure instanceof IOException || failure instanceof UncheckedIOException) {
      return IO;
    }
    return UNEXPECTED;
  }

  /**
   * The {@link OutOfMemoryError} behind {@code failure}, or null. Work on other threads rethrows it wrapped (a
   * future's {@code ExecutionException}, {@code CompletionException}), so the causes are searched.
   */
  public static OutOfMemoryError outOfMemory(Throwable failure) {
    Throwable t = failure;
    for (int depth = 0; t != null && depth < 20; depth++, t = t.getCause()) {
      if (t instanceof OutOfMemoryError oom) {
        return oom;
      }
    }
    return null;
  }
}
