package dev.bannerranker.serving.grpc;

import dev.bannerranker.proto.v1.ArmStatus;
import dev.bannerranker.proto.v1.GetModelStatusRequest;
import dev.bannerranker.proto.v1.GetModelStatusResponse;
import dev.bannerranker.proto.v1.ModelAdminServiceGrpc;
import dev.bannerranker.proto.v1.ModelArm;
import dev.bannerranker.proto.v1.ModelRootVersion;
import dev.bannerranker.proto.v1.ReloadModelRequest;
import dev.bannerranker.proto.v1.ReloadModelResponse;
import dev.bannerranker.proto.v1.RollbackModelRequest;
import dev.bannerranker.proto.v1.RollbackModelResponse;
import dev.bannerranker.serving.config.ModelSettings;
import dev.bannerranker.serving.model.Arm;
import dev.bannerranker.serving.model.ModelGeneration;
import dev.bannerranker.serving.model.ModelRefusedException;
import dev.bannerranker.serving.model.ModelRegistry;
import dev.bannerranker.serving.model.ModelVersions;
import dev.bannerranker.serving.model.NoPreviousModelException;
import dev.bannerranker.serving.ranking.InvalidRequestException;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import jakarta.inject.Inject;
import jakarta.inject.Singleton;
import java.nio.file.Path;

/** The ModelAdminService RPCs: swap bundles and report what serves. */
@Singleton
public class ModelAdminEndpoint extends ModelAdminServiceGrpc.ModelAdminServiceImplBase {
  private final ModelRegistry registry;
  private final ModelSettings settings;
  private final ModelVersions versions;

  public ModelAdminEndpoint(ModelRegistry registry, ModelSettings settings) {
    this(registry, settings, new ModelVersions(registry, null));
  }

  @Inject
  public ModelAdminEndpoint(ModelRegistry registry, ModelSettings settings, ModelVersions versions) {
    this.registry = registry;
    this.settings = settings;
    this.versions = versions;
  }

  /**
   * ReloadModel: loads, validates and swaps in a bundle (a directory, or a version of the models root) for one arm.
   * A refused bundle answers FAILED_PRECONDITION with the reason, and the arm keeps its model.
   */
  @Override
  public void reloadModel(ReloadModelRequest request, StreamObserver<ReloadModelResponse> observer) {
    GrpcErrors.unary("ReloadModel", observer, () -> {
      Arm arm = arm(request.getArm());
      if (request.getVersion() != 0) {
        return reloadVersion(arm, request);
      }
      String dir = request.getBundleDir().isEmpty() ? configuredDir(arm) : request.getBundleDir();
      if (dir.isEmpty()) {
        throw new InvalidRequestException("bundle_dir", "bundle_dir is empty and the " + arm.label()
            + " arm has no configured bundle");
      }
      ModelGeneration previous = registry.current().generation(arm);
      try {
        registry.load(arm, Path.of(dir));
      } catch (ModelRefusedException e) {
        throw Status.FAILED_PRECONDITION.withDescription("bundle " + dir + " refused: " + e.getMessage() + "; the "
            + arm.label() + " arm keeps serving " + (previous == null ? "no model" : previous.version()))
            .asRuntimeException();
      }
      return ReloadModelResponse.newBuilder().setStatus(status(arm))
          .setPreviousModelVersion(previous == null ? "" : previous.version()).build();
    });
  }

  /** ReloadModel with a version: that version of the models root. */
  private ReloadModelResponse reloadVersion(Arm arm, ReloadModelRequest request) {
    if (!request.getBundleDir().isEmpty()) {
      throw new InvalidRequestException("version", "give bundle_dir or version, not both");
    }
    if (!versions.enabled()) {
      throw new InvalidRequestException("version", "version needs a models root, and the service serves a bundle "
          + "directory");
    }
    long v = request.getVersion();
    java.util.List<Long> onDisk = versions.onDisk();
    if (!onDisk.contains(v)) {
      throw new InvalidRequestException("version", "version " + v + " is not in the models root (versions: "
          + onDisk + ")");
    }
    ModelGeneration previous = registry.current().generation(arm);
    try {
      versions.load(arm, v);
    } catch (ModelRefusedException e) {
      throw Status.FAILED_PRECONDITION.withDescription("version " + v + " refused: " + e.getMessage() + "; the "
          + arm.label() + " arm keeps serving " + (previous == null ? "no model" : previous.version()))
          .asRuntimeException();
    }
    return ReloadModelResponse.newBuilder().setStatus(status(arm))
        .setPreviousModelVersion(previous == null ? "" : previous.version()).build();
  }

  /**
   * RollbackModel: the arm serves its previous model again, at once. FAILED_PRECONDITION when it has none.
   */
  @Override
  public void rollbackModel(RollbackModelRequest request, StreamObserver<RollbackModelResponse> observer) {
    GrpcErrors.unary("RollbackModel", observer, () -> {
      Arm arm = arm(request.getArm());
      ModelGeneration left;
      try {
        left = registry.rollback(arm);
      } catch (NoPreviousModelException e) {
        throw Status.FAILED_PRECONDITION.withDescription(e.getMessage()).asRuntimeException();
      }
      return RollbackModelResponse.newBuilder().setStatus(status(arm)).setPreviousModelVersion(left.version()).build();
    });
  }

  /** GetModelStatus: each arm's serving model and last refusal, the treatment share and the models root. */
  @Override
  public void getModelStatus(GetModelStatusRequest request, StreamObserver<GetModelStatusResponse> observer) {
    GrpcErrors.unary("GetModelStatus", observer, () -> {
      GetModelStatusResponse.Builder b = GetModelStatusResponse.newBuilder()
          .addArms(status(Arm.CONTROL)).addArms(status(Arm.TREATMENT))
          .setTreatmentPercent(registry.current().treatmentPercent());
      if (versions.enabled()) {
        b.setModelsRoot(versions.root().toString());
        for (long v : versions.onDisk()) {
          ModelRootVersion.Builder rv = ModelRootVersion.newBuilder().setVersion(v)
              .setBundleDir(versions.dir(v).toString());
          for (Arm arm : Arm.values()) {
            if (versions.versionOf(registry.current().generation(arm)) == v) {
              rv.addServingArms(modelArm(arm));
            }
            if (versions.versionOf(registry.previous(arm)) == v) {
              rv.addPreviousArms(modelArm(arm));
            }
          }
          b.addVersions(rv);
        }
      }
      return b.build();
    });
  }

  private static ModelArm modelArm(Arm arm) {
    return arm == Arm.CONTROL ? ModelArm.MODEL_ARM_CONTROL : ModelArm.MODEL_ARM_TREATMENT;
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
    ArmStatus.Builder b = ArmStatus.newBuilder().setArm(modelArm(arm));
    ModelGeneration g = registry.current().generation(arm);
    if (g != null) {
      b.setModelVersion(g.version()).setBundleDir(g.bundleDir().toString())
          .setLoadedAt(ProtoMapper.timestamp(g.loadedAt())).setBannerCount(g.bannerCount())
          .setRootVersion(versions.versionOf(g));
    }
    ModelGeneration previous = registry.previous(arm);
    if (previous != null) {
      b.setPreviousModelVersion(previous.version()).setPreviousBundleDir(previous.bundleDir().toString());
    }
    registry.lastRefusal(arm).ifPresent(r -> b.setLastRefusal(r.dir() + ": " + r.reason())
        .setLastRefusalAt(ProtoMapper.timestamp(r.at())));
    return b.build();
  }
}
