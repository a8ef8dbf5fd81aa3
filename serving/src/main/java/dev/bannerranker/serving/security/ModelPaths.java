package dev.bannerranker.serving.security;

import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Which bundle directories a ReloadModel may name. Always: at most {@link #MAX_LENGTH} characters, no NUL or other
 * control character. With a models root: a name relative to the root (a version or directory name) or a path inside
 * it, no {@code ..}; anything resolving outside the root, also through a symbolic link, is PERMISSION_DENIED with
 * the same message whether or not it exists.
 */
public final class ModelPaths {
  /** Longer names are refused before they reach the file system or a log line. */
  public static final int MAX_LENGTH = 256;
  private static final String OUTSIDE = "bundle_dir must name a directory below the models root";

  private final Path root;

  /** @param root the models root, or null to accept any directory the server can read */
  public ModelPaths(Path root) {
    this.root = root == null ? null : root.toAbsolutePath().normalize();
  }

  /** The models root, or null. */
  public Path root() {
    return root;
  }

  /**
   * The directory {@code name} stands for: below the root when there is one.
   *
   * @throws StatusRuntimeException INVALID_ARGUMENT for a malformed name, PERMISSION_DENIED for one outside the root
   */
  public Path resolve(String name) {
    if (name.length() > MAX_LENGTH) {
      throw invalid("bundle_dir has " + name.length() + " characters, more than the limit of " + MAX_LENGTH);
    }
    for (int i = 0; i < name.length(); i++) {
      if (Character.isISOControl(name.charAt(i))) {
        throw invalid("bundle_dir must not contain NUL or other control characters (at index " + i + ")");
      }
    }
    Path path;
    try {
      path = Path.of(name);
    } catch (InvalidPathException e) {
      throw invalid("bundle_dir " + ClientText.quote(name) + " is not a valid path");
    }
    if (root == null) {
      return path;
    }
    for (Path part : path) {
      if (part.toString().equals("..")) {
        throw invalid("bundle_dir must not contain '..'; name a directory of the models root");
      }
    }
    Path resolved = root.resolve(path).normalize();
    if (!resolved.startsWith(root) || resolved.equals(root)) {
      throw outside();
    }
    // A link inside the root may point elsewhere; compare where both really are.
    if (Files.exists(resolved)) {
      try {
        if (!resolved.toRealPath().startsWith(root.toRealPath())) {
          throw outside();
        }
      } catch (IOException e) {
        throw outside();
      }
    }
    return resolved;
  }

  private static StatusRuntimeException invalid(String message) {
    return Status.INVALID_ARGUMENT.withDescription(message).asRuntimeException();
  }

  private static StatusRuntimeException outside() {
    return Status.PERMISSION_DENIED.withDescription(OUTSIDE).asRuntimeException();
  }
}
