package dev.bannerranker.serving.grpc;

import dev.bannerranker.proto.v1.ArmStatus;
import dev.bannerranker.proto.v1.GetModelStatusRequest;
import dev.bannerranker.proto.v1.GetModelStatusResponse;
import dev.bannerranker.proto.v1.ModelAdminServiceGrpc;
import dev.bannerranker.proto.v1.ModelArm;
import dev.bannerranker.proto.v1.ReloadModelRequest;
import dev.bannerranker.proto.v1.ReloadModelResponse;
import dev.bannerranker.serving.config.ModelSettings;
import dev.bannerranker.serving.model.Arm;
import dev.bannerranker.serving.model.ModelGeneration;
import dev.bannerranker.serving.model.ModelRefusedException;
import dev.bannerranker.serving.model.ModelRegistry;
import dev.bannerranker.serving.ranking.InvalidRequestException;
import dev.bannerranker.serving.ranking.UserUpdates;
import dev.bannerranker.proto.v1.DeleteUserRequest;
import dev.bannerranker.proto.v1.DeleteUserResponse;
import io.grpc.stub.StreamObserver;
import jakarta.inject.Singleton;
import java.nio.file.Path;

/** The ModelAdminService RPCs: swap bundles and report what serves. */
@Singleton
public class ModelAdminEndpoint extends ModelAdminServiceGrpc.ModelAdminServiceImplBase {
  private final ModelRegistry registry;
  private final ModelSettings settings;
  private final UserUpdates updates;

  public ModelAdminEndpoint(ModelRegistry registry, ModelSettings settings, UserUpdates updates) {
    this.registry = registry;
    this.settings = settings;
    this.updates = updates;
  }

  /**
   * DeleteUser: removes everything held about the user from the store and the caches. INVALID_ARGUMENT for a bad
   * user id, UNAVAILABLE when the store cannot be written.
   */
  @Override
  public void deleteUser(DeleteUserRequest request, StreamObserver<DeleteUserResponse> observer) {
    GrpcErrors.unary("DeleteUser", observer, () -> DeleteUserResponse.newBuilder()
        .setDeleted(updates.deleteUser(request.getUserId())).build());
  }

  /**
   * Loads, validates and swaps in a bundle for one arm. A refused bundle answers FAILED_PRECONDITION with the
   * reason, and the arm keeps its model; an empty bundle_dir reloads the arm's configured directory.
   *
   * @param request the arm and the bundle directory, as the server's file system names it.
   * @param observer the observer that will receive the arm's new status and the version it replaced.
   */
  @Override
  public void reloadModel(ReloadModelRequest request, StreamObserver<ReloadModelResponse> observer) {
    GrpcErrors.unary("ReloadModel", observer, () -> {
      Arm arm = arm(request.getArm());
      String dir = request.getBundleDir().isEmpty() ? configuredDir(arm) : request.getBundleDir();
      if (dir.isEmpty()) {
        throw new InvalidRequestException("bundle_dir", "bundle_dir is empty and the " + arm.label()
            + " arm has no configured bundle");
      }
      ModelGeneration previous = registry.current().generation(arm);
      try {
        registry.load(arm, Path.of(dir));
      } catch (ModelRefusedException e) {
        throw new ModelRefusedException("bundle " + dir + " refused: " + e.getMessage() + "; the " + arm.label()
            + " arm keeps serving " + (previous == null ? "no model" : previous.version()), e);
      }
      return ReloadModelResponse.newBuilder().setStatus(status(arm))
          .setPreviousModelVersion(previous == null ? "" : previous.version()).build();
    });
  }

  /**
   * Reports each arm's serving model and last refusal, and the share of users the treatment arm serves.
   *
   * @param request empty.
   * @param observer the observer that will receive the status of both arms.
   */
  @Override
  public void getModelStatus(GetModelStatusRequest request, StreamObserver<GetModelStatusResponse> observer) {
    GrpcErrors.unary("GetModelStatus", observer, () -> GetModelStatusResponse.newBuilder()
        .addArms(status(Arm.CONTROL)).addArms(status(Arm.TREATMENT))
        .setTreatmentPercent(registry.current().treatmentPercent()).build());
  }

  private String configuredDir(Arm arm) {
    return arm == Arm.CONTROL ? settings.bundle() : settings.treatmentBundle();
  }

  private static Arm arm(ModelArm arm) {
    return switch (arm) {
      case MODEL_ARM_UNSPECIFIED, MODEL_ARM_CONTROL -> Arm.CONTROL;
      case MODEL_ARM_TREATMENT -> Arm.TREATMENT;
      case UNRECOGNIZED -> throw new InvalidRequestException("arm", "arm has an unknown value");
    };
  }

  private ArmStatus status(Arm arm) {
    ArmStatus.Builder b = ArmStatus.newBuilder()
        .setArm(arm == Arm.CONTROL ? ModelArm.MODEL_ARM_CONTROL : ModelArm.MODEL_ARM_TREATMENT);
    ModelGeneration g = registry.current().generation(arm);
    if (g != null) {
      b.setModelVersion(g.version()).setBundleDir(g.bundleDir().toString())
          .setLoadedAt(ProtoMapper.timestamp(g.loadedAt())).setBannerCount(g.bannerCount());
    }
    registry.lastRefusal(arm).ifPresent(r -> b.setLastRefusal(r.dir() + ": " + r.reason())
        .setLastRefusalAt(ProtoMapper.timestamp(r.at())));
    return b.build();
  }
}
