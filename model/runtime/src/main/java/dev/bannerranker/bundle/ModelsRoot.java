package dev.bannerranker.bundle;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A models root in the TF Serving layout: one bundle per version directory {@code <root>/<version>/}, the version a
 * positive integer, higher is newer. Other entries (such as the temporary directories of a bundle being written)
 * are ignored. A version is only ever added, by an atomic rename, never overwritten.
 */
public final class ModelsRoot {
  private ModelsRoot() {}

  /** The largest version number accepted; directory names longer than this are not versions. */
  public static final long MAX_VERSION = 999_999_999_999L;

  /** The version number a directory name stands for, or 0 when the name is not a version. */
  public static long versionOf(String name) {
    if (name.isEmpty() || name.length() > 12 || name.charAt(0) == '0') {
      return 0;
    }
    for (int i = 0; i < name.length(); i++) {
      if (name.charAt(i) < '0' || name.charAt(i) > '9') {
        return 0;
      }
    }
    return Long.parseLong(name);
  }

  /** The version a bundle directory stands for when it sits directly in a models root, else 0. */
  public static long versionOf(Path bundleDir) {
    Path name = bundleDir.getFileName();
    return name == null ? 0 : versionOf(name.toString());
  }

  /** The version directories under {@code root}, oldest first; empty when the root does not exist. */
  public static List<Long> versions(Path root) throws IOException {
    List<Long> out = new ArrayList<>();
    try (Stream<Path> s = Files.list(root)) {
      s.forEach(p -> {
        long v = versionOf(p.getFileName().toString());
        if (v > 0 && Files.isDirectory(p)) {
          out.add(v);
        }
      });
    } catch (NoSuchFileException e) {
      return List.of();
    }
    out.sort(null);
    return out;
  }

  /** The directory of a version. */
  public static Path dir(Path root, long version) {
    return root.resolve(Long.toString(version));
  }

  /** The number a new version gets: one above the newest, 1 for an empty root. */
  public static long nextVersion(Path root) throws IOException {
    List<Long> v = versions(root);
    return v.isEmpty() ? 1 : v.get(v.size() - 1) + 1;
  }
}
