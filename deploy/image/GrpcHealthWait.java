import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import java.util.concurrent.TimeUnit;

/**
 * Waits until grpc.health.v1 reports SERVING for the server ("") at HOST:PORT, as the Kubernetes probes ask.
 * Run with the source launcher and the image's libraries: java -cp 'ROOT/app/libs/*' GrpcHealthWait.java HOST:PORT
 * TIMEOUT_S. Prints the status, with the epoch milliseconds it was first seen SERVING (the caller times the start-up
 * from its own launch time); exit 0 on SERVING, 1 when the timeout passes first.
 */
public final class GrpcHealthWait {
  public static void main(String[] args) throws InterruptedException {
    if (args.length != 2) {
      System.err.println("usage: GrpcHealthWait HOST:PORT TIMEOUT_SECONDS");
      System.exit(2);
    }
    long start = System.nanoTime();
    long deadline = start + TimeUnit.SECONDS.toNanos(Long.parseLong(args[1]));
    ManagedChannel channel = ManagedChannelBuilder.forTarget(args[0]).usePlaintext().build();
    String last = "no answer";
    try {
      while (System.nanoTime() < deadline) {
        try {
          ServingStatus status = HealthGrpc.newBlockingStub(channel).withDeadlineAfter(2, TimeUnit.SECONDS)
              .check(HealthCheckRequest.getDefaultInstance()).getStatus();
          last = status.name();
          if (status == ServingStatus.SERVING) {
            System.out.printf("grpc.health.v1 %s: SERVING at %d%n", args[0], System.currentTimeMillis());
            return;
          }
        } catch (StatusRuntimeException e) {
          last = e.getStatus().getCode().name();
        }
        Thread.sleep(100);
      }
    } finally {
      channel.shutdownNow();
    }
    System.out.printf("grpc.health.v1 %s: %s, not SERVING within %s s%n", args[0], last, args[1]);
    System.exit(1);
  }
}
