package dev.bannerranker.serving.security;

import dev.bannerranker.proto.v1.ModelAdminServiceGrpc;
import dev.bannerranker.proto.v1.RankingServiceGrpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.micronaut.core.order.Ordered;
import jakarta.inject.Singleton;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Asks for {@code authorization: Bearer <token>} on the calls whose access has a configured token: none is
 * UNAUTHENTICATED, a wrong one PERMISSION_DENIED. Health, reflection and every call without a rule stay open, so
 * probes and the quick start need no token. Runs first, after the call executor's admission (CallExecutors).
 */
@Singleton
public final class TokenAuthInterceptor implements ServerInterceptor, Ordered {
  private static final Logger LOG = LoggerFactory.getLogger(TokenAuthInterceptor.class);
  static final Metadata.Key<String> AUTHORIZATION = Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  private static final String BEARER = "bearer ";

  /** By full method name, or by service name for every method of the service; a new RPC is one line here. */
  static final Map<String, Access> RULES = Map.of(
      RankingServiceGrpc.getRankMethod().getFullMethodName(), Access.RANK,
      RankingServiceGrpc.getRecordEventsMethod().getFullMethodName(), Access.WRITE,
      RankingServiceGrpc.SERVICE_NAME + "/UpsertProfiles", Access.WRITE,
      ModelAdminServiceGrpc.SERVICE_NAME, Access.ADMIN,
      "ads.ranking.v1.CatalogAdminService", Access.ADMIN);

  private final BearerTokens tokens;

  public TokenAuthInterceptor(SecuritySettings settings) {
    this.tokens = new BearerTokens(settings);
  }

  /**
   * Whether {@code serviceName} is an admin service: the one classification that both the token rules and the
   * listeners follow (admin services are served only on the admin listener).
   */
  public static boolean adminService(String serviceName) {
    return RULES.get(serviceName) == Access.ADMIN;
  }

  /** The access {@code fullMethodName} needs, or null when it is open. */
  static Access access(String fullMethodName) {
    Access byMethod = RULES.get(fullMethodName);
    if (byMethod != null) {
      return byMethod;
    }
    int slash = fullMethodName.indexOf('/');
    return slash < 0 ? null : RULES.get(fullMethodName.substring(0, slash));
  }

  @Override
  public <Q, A> ServerCall.Listener<Q> interceptCall(ServerCall<Q, A> call, Metadata headers,
      ServerCallHandler<Q, A> next) {
    String method = call.getMethodDescriptor().getFullMethodName();
    Access access = access(method);
    if (access == null || !tokens.required(access)) {
      return next.startCall(call, headers);
    }
    String header = headers.get(AUTHORIZATION);
    Status denied = null;
    if (header == null || header.length() <= BEARER.length() || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      denied = Status.UNAUTHENTICATED.withDescription(call.getMethodDescriptor().getBareMethodName() + " needs the "
          + access.label() + " token as 'authorization: Bearer <token>'");
    } else if (!tokens.matches(access, header.substring(BEARER.length()).strip())) {
      denied = Status.PERMISSION_DENIED.withDescription("the token is not the " + access.label() + " token");
    }
    if (denied == null) {
      return next.startCall(call, headers);
    }
    LOG.atDebug().addKeyValue("rpc", method).addKeyValue("code", denied.getCode().name()).log("call refused");
    call.close(denied, new Metadata());
    return new ServerCall.Listener<>() {};
  }

  @Override
  public int getOrder() {
    return HIGHEST_PRECEDENCE + 1;
  }
}
