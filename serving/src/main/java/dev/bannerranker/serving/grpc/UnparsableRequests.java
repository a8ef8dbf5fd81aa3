package dev.bannerranker.serving.grpc;

import io.grpc.Attributes;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.SecurityLevel;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerMethodDefinition;
import io.grpc.ServerServiceDefinition;
import io.grpc.ServiceDescriptor;
import io.grpc.Status;
import java.io.InputStream;

/**
 * A request whose bytes are not a valid message (truncated, a wrong wire type, invalid UTF-8 in a string) is the
 * client's mistake, so it gets INVALID_ARGUMENT. grpc-java parses before any interceptor sees the call and turns a
 * parse failure into UNKNOWN ("Application error processing RPC"); here the service takes the raw bytes and parses
 * them itself.
 */
public final class UnparsableRequests {
  private UnparsableRequests() {}

  /** Bytes as they came (tests send garbage with it too). */
  static final MethodDescriptor.Marshaller<InputStream> RAW = new MethodDescriptor.Marshaller<>() {
    @Override
    public InputStream stream(InputStream value) {
      return value;
    }

    @Override
    public InputStream parse(InputStream stream) {
      return stream;
    }
  };

  /** {@code service} with every method parsing its own requests. */
  public static ServerServiceDefinition invalidArgument(ServerServiceDefinition service) {
    ServiceDescriptor original = service.getServiceDescriptor();
    ServiceDescriptor.Builder descriptor = ServiceDescriptor.newBuilder(original.getName())
        .setSchemaDescriptor(original.getSchemaDescriptor());
    java.util.List<ServerMethodDefinition<?, ?>> methods = new java.util.ArrayList<>();
    for (ServerMethodDefinition<?, ?> m : service.getMethods()) {
      ServerMethodDefinition<?, ?> wrapped = wrap(m);
      descriptor.addMethod(wrapped.getMethodDescriptor());
      methods.add(wrapped);
    }
    ServerServiceDefinition.Builder b = ServerServiceDefinition.builder(descriptor.build());
    methods.forEach(b::addMethod);
    return b.build();
  }

  private static <Q, A> ServerMethodDefinition<InputStream, A> wrap(ServerMethodDefinition<Q, A> definition) {
    MethodDescriptor<Q, A> typed = definition.getMethodDescriptor();
    MethodDescriptor<InputStream, A> raw = typed.toBuilder(RAW, typed.getResponseMarshaller()).build();
    ServerCallHandler<Q, A> handler = definition.getServerCallHandler();
    return ServerMethodDefinition.create(raw, (call, headers) -> parsing(call, headers, typed, handler));
  }

  private static <Q, A> ServerCall.Listener<InputStream> parsing(ServerCall<InputStream, A> call, Metadata headers,
      MethodDescriptor<Q, A> typed, ServerCallHandler<Q, A> handler) {
    TypedCall<Q, A> typedCall = new TypedCall<>(call, typed);
    ServerCall.Listener<Q> inner = handler.startCall(typedCall, headers);
    return new ServerCall.Listener<InputStream>() {
      private boolean refused;

      @Override
      public void onMessage(InputStream message) {
        if (typedCall.closed) { // an interceptor refused the call already (a token, a limit)
          return;
        }
        Q request;
        try {
          request = typed.parseRequest(message);
        } catch (RuntimeException e) {
          refused = true;
          typedCall.close(Status.INVALID_ARGUMENT.withDescription("the request is not a valid "
              + typed.getBareMethodName() + " message"), new Metadata());
          return;
        }
        inner.onMessage(request);
      }

      @Override
      public void onHalfClose() {
        if (!refused) {
          inner.onHalfClose();
        }
      }

      @Override
      public void onCancel() {
        inner.onCancel();
      }

      @Override
      public void onComplete() {
        inner.onComplete();
      }

      @Override
      public void onReady() {
        inner.onReady();
      }
    };
  }

  /** The raw call as the handler's typed one: only the method descriptor differs. */
  private static final class TypedCall<Q, A> extends ServerCall<Q, A> {
    private final ServerCall<InputStream, A> call;
    private final MethodDescriptor<Q, A> method;
    private volatile boolean closed;

    TypedCall(ServerCall<InputStream, A> call, MethodDescriptor<Q, A> method) {
      this.call = call;
      this.method = method;
    }

    @Override
    public void request(int numMessages) {
      call.request(numMessages);
    }

    @Override
    public void sendHeaders(Metadata headers) {
      call.sendHeaders(headers);
    }

    @Override
    public void sendMessage(A message) {
      call.sendMessage(message);
    }

    @Override
    public boolean isReady() {
      return call.isReady();
    }

    @Override
    public void close(Status status, Metadata trailers) {
      closed = true;
      call.close(status, trailers);
    }

    @Override
    public boolean isCancelled() {
      return call.isCancelled();
    }

    @Override
    public void setMessageCompression(boolean enabled) {
      call.setMessageCompression(enabled);
    }

    @Override
    public void setCompression(String compressor) {
      call.setCompression(compressor);
    }

    @Override
    public void setOnReadyThreshold(int numBytes) {
      call.setOnReadyThreshold(numBytes);
    }

    @Override
    public SecurityLevel getSecurityLevel() {
      return call.getSecurityLevel();
    }

    @Override
    public Attributes getAttributes() {
      return call.getAttributes();
    }

    @Override
    public String getAuthority() {
      return call.getAuthority();
    }

    @Override
    public MethodDescriptor<Q, A> getMethodDescriptor() {
      return method;
    }
  }
}
