package dev.bannerranker.serving.grpc;

import dev.bannerranker.proto.v1.RankRequest;
import dev.bannerranker.proto.v1.RankResponse;
import dev.bannerranker.proto.v1.RankingServiceGrpc;
import dev.bannerranker.proto.v1.RecordEventsRequest;
import dev.bannerranker.proto.v1.RecordEventsResponse;
import dev.bannerranker.serving.ranking.Budget;
import dev.bannerranker.serving.ranking.EventRecorder;
import dev.bannerranker.serving.ranking.RankingService;
import dev.bannerranker.serving.ranking.UserUpdates;
import dev.bannerranker.proto.v1.ShopperProfile;
import dev.bannerranker.proto.v1.UpsertProfilesRequest;
import dev.bannerranker.proto.v1.UpsertProfilesResponse;
import java.util.ArrayList;
import java.util.List;
import io.grpc.Context;
import io.grpc.Deadline;
import io.grpc.stub.StreamObserver;
import jakarta.inject.Singleton;
import java.util.concurrent.TimeUnit;

/** The RankingService RPCs: maps the messages to the domain and delegates to the pipeline. */
@Singleton
public class RankingEndpoint extends RankingServiceGrpc.RankingServiceImplBase {
  private final RankingService ranking;
  private final EventRecorder events;
  private final UserUpdates updates;

  public RankingEndpoint(RankingService ranking, EventRecorder events, UserUpdates updates) {
    this.ranking = ranking;
    this.events = events;
    this.updates = updates;
  }

  /**
   * Ranks the eligible banners of one placement for one user, best first. INVALID_ARGUMENT names the bad field;
   * UNAVAILABLE while no model is loaded; DEADLINE_EXCEEDED when the deadline passed before ranking started. A
   * deadline too close to score in yields the popularity order.
   *
   * @param request the user, the placement and its context, optional candidates and the number of results.
   * @param observer the observer that will receive the ranking, or the error status.
   */
  @Override
  public void rank(RankRequest request, StreamObserver<RankResponse> observer) {
    GrpcErrors.unary("Rank", observer,
        () -> ProtoMapper.response(ranking.rank(ProtoMapper.query(request, budget()))));
  }

  /**
   * Records impressions, clicks and product events, applied before the call returns so the user's next Rank sees
   * them. The batch is validated first; a bad event rejects it whole with INVALID_ARGUMENT naming the event's field.
   *
   * @param request the events, in the order they happened.
   * @param observer the observer that will receive the number of events applied, or the error status.
   */
  @Override
  public void recordEvents(RecordEventsRequest request, StreamObserver<RecordEventsResponse> observer) {
    GrpcErrors.unary("RecordEvents", observer, () -> RecordEventsResponse.newBuilder()
        .setAcceptedCount(events.record(ProtoMapper.events(request))).build());
  }

  /**
   * UpsertProfiles: validated as users.csv rows, stored all or none; INVALID_ARGUMENT names the first bad field,
   * UNAVAILABLE when the store cannot be written.
   */
  @Override
  public void upsertProfiles(UpsertProfilesRequest request, StreamObserver<UpsertProfilesResponse> observer) {
    GrpcErrors.unary("UpsertProfiles", observer, () -> {
      List<UserUpdates.ProfileInput> inputs = new ArrayList<>(request.getProfilesCount());
      for (ShopperProfile p : request.getProfilesList()) {
        inputs.add(new UserUpdates.ProfileInput(p.getUserId(), p.getGender(), p.getAgeBand(), p.getCityTier()));
      }
      return UpsertProfilesResponse.newBuilder().setUpsertedCount(updates.upsertProfiles(inputs)).build();
    });
  }

  /** The call's deadline, as the pipeline's budget. */
  static Budget budget() {
    Deadline d = Context.current().getDeadline();
    return d == null ? Budget.unbounded() : Budget.remaining(d.timeRemaining(TimeUnit.NANOSECONDS));
  }
}
