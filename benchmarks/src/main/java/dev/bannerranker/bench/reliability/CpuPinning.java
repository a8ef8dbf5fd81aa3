package dev.bannerranker.bench.reliability;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Which CPUs the services and the load generator run on ({@code taskset}). On a small machine, a service and its load
 * generator sharing the cores measure scheduling, not the service; pinned apart, the load is offered independently.
 */
record CpuPinning(String serviceCpus, String loadCpus) {
  private static final Pattern CPU_LIST = Pattern.compile("[0-9]+(-[0-9]+)?(,[0-9]+(-[0-9]+)?)*");

  static final CpuPinning NONE = new CpuPinning(null, null);

  /** Checks a {@code taskset -c} list such as {@code 0}, {@code 0,2} or {@code 0-3}; null when it is none. */
  static String checkedList(String option, String list) {
    if (list != null && !CPU_LIST.matcher(list).matches()) {
      throw new IllegalArgumentException(option + ": '" + (list.length() > 40 ? list.substring(0, 40) + "..." : list)
          + "' is not a CPU list like 0, 0,2 or 0-3");
    }
    return list;
  }

  /** The command that starts a server process ({@code redis-server}, a service): on the service CPUs when set. */
  List<String> serverCommand(List<String> command) {
    if (serviceCpus == null) {
      return command;
    }
    List<String> pinned = new ArrayList<>(List.of("taskset", "-c", serviceCpus));
    pinned.addAll(command);
    return pinned;
  }

  /**
   * Moves every thread of this JVM (the load generator) to the load CPUs; the threads it starts later inherit them.
   * Fails with the reason when {@code taskset} is missing or refuses.
   */
  void pinThisProcess() throws IOException, InterruptedException {
    if (loadCpus == null) {
      return;
    }
    Process p = new ProcessBuilder("taskset", "-a", "-c", "-p", loadCpus, Long.toString(ProcessHandle.current().pid()))
        .redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes()).trim();
    if (p.waitFor() != 0) {
      throw new IOException("taskset could not pin the load generator to CPUs " + loadCpus + ": "
          + (output.length() > 200 ? output.substring(0, 200) : output));
    }
  }
}
