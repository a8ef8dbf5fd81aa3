package dev.bannerranker.serving.cli;

import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.Metadata;
import io.grpc.netty.GrpcSslContexts;
import io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.AbstractStub;
import io.grpc.stub.MetadataUtils;
import io.netty.handler.ssl.SslContextBuilder;
import java.nio.file.Path;
import javax.net.ssl.SSLException;
import picocli.CommandLine.Option;

/** The client commands' connection options: plaintext, TLS or mTLS to {@code --target}. */
final class ClientConnection {
  @Option(names = "--target", required = true, description = "Service address, HOST:PORT.")
  String target;

  @Option(names = "--tls", description = "Connect with TLS, trusting the system's certificate authorities (implied by "
      + "--ca-cert).")
  boolean tls;

  @Option(names = "--ca-cert", description = "PEM file of the certificate (or its authority) the server must present.")
  Path caCert;

  @Option(names = "--client-cert", description = "PEM certificate to present when the server asks for one (mTLS).")
  Path clientCert;

  @Option(names = "--client-key", description = "PKCS#8 PEM key of --client-cert.")
  Path clientKey;

  /** A usage mistake in the options, or null. */
  String problem() {
    return (clientCert == null) != (clientKey == null) ? "--client-cert and --client-key go together" : null;
  }

  ManagedChannel channel() throws SSLException {
    if (!tls && caCert == null && clientCert == null) {
      return ManagedChannelBuilder.forTarget(target).usePlaintext().build();
    }
    SslContextBuilder ssl = GrpcSslContexts.forClient();
    if (caCert != null) {
      ssl.trustManager(caCert.toFile());
    }
    if (clientCert != null) {
      ssl.keyManager(clientCert.toFile(), clientKey.toFile());
    }
    return NettyChannelBuilder.forTarget(target).sslContext(ssl.build()).build();
  }

  /** {@code stub} sending {@code token} as a bearer token; unchanged when the token is null or blank. */
  static <S extends AbstractStub<S>> S withToken(S stub, String token) {
    if (token == null || token.isBlank()) {
      return stub;
    }
    Metadata headers = new Metadata();
    headers.put(Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER), "Bearer " + token.strip());
    return stub.withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  /** The line a client prints for an error status; the channel's own failure (no connection) gets a hint. */
  String errorLine(io.grpc.StatusRuntimeException e) {
    String message = "error: " + e.getStatus().getCode() + ": " + e.getStatus().getDescription();
    // The channel's own failure (no connection) carries its cause; the server's statuses do not.
    if (e.getStatus().getCode() == io.grpc.Status.Code.UNAVAILABLE && e.getStatus().getCause() != null) {
      message += "; is the service running at " + target + "?";
    }
    return message;
  }
}
