package dev.bannerranker.serving.grpc;

import static org.junit.jupiter.api.Assertions.*;

import dev.bannerranker.proto.v1.ArmStatus;
import dev.bannerranker.proto.v1.GetModelStatusRequest;
import dev.bannerranker.proto.v1.GetModelStatusResponse;
import dev.bannerranker.proto.v1.ModelArm;
import dev.bannerranker.proto.v1.ModelRootVersion;
import dev.bannerranker.proto.v1.ReloadModelRequest;
import dev.bannerranker.proto.v1.ReloadModelResponse;
import dev.bannerranker.proto.v1.RollbackModelRequest;
import dev.bannerranker.proto.v1.RollbackModelResponse;
import dev.bannerranker.serving.TestBundles;
import dev.bannerranker.serving.config.ModelSettings;
import dev.bannerranker.serving.model.ModelRegistry;
import dev.bannerranker.serving.model.ModelVersions;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The admin RPCs of the models root, called on the endpoint: the proto fields they fill and the codes. */
class ModelAdminVersionsTest {
  @TempDir Path root;

  static final class Result<T> implements StreamObserver<T> {
    T value;
    Throwable error;

    @Override
    public void onNext(T v) {
      value = v;
    }

    @Override
    public void onError(Throwable t) {
      error = t;
    }

    @Override
    public void onCompleted() {}
  }

  static <Q, T> T call(BiConsumer<Q, StreamObserver<T>> rpc, Q request) {
    Result<T> r = new Result<>();
    rpc.accept(request, r);
    if (r.error != null) {
      throw (StatusRuntimeException) r.error;
    }
    return r.value;
  }

  static Status.Code code(Runnable call) {
    return assertThrows(StatusRuntimeException.class, call::run).getStatus().getCode();
  }

  ModelAdminEndpoint endpoint(ModelRegistry registry, ModelVersions versions) {
    return new ModelAdminEndpoint(registry, new ModelSettings("", "", 0, "", false, Duration.ofSeconds(5),
        versions.enabled() ? versions.root().toString() : "", 0L), versions);
  }

  @Test
  void rollbackReloadOfAVersionAndTheVersionsInTheStatus() throws Exception {
    TestBundles.withVersion(root.resolve("1"), "wd-1");
    TestBundles.withVersion(root.resolve("2"), "wd-2");
    ModelRegistry registry = new ModelRegistry(0, "s");
    ModelVersions versions = new ModelVersions(registry, root);
    versions.start(0);
    ModelAdminEndpoint admin = endpoint(registry, versions);

    assertEquals(Status.Code.FAILED_PRECONDITION, code(() -> call(admin::rollbackModel,
        RollbackModelRequest.getDefaultInstance())), "nothing to roll back to yet");

    ReloadModelResponse reload = call(admin::reloadModel, ReloadModelRequest.newBuilder().setVersion(1).build());
    assertEquals("wd-2", reload.getPreviousModelVersion());
    assertEquals("wd-1", reload.getStatus().getModelVersion());
    assertEquals(1, reload.getStatus().getRootVersion());
    assertEquals("wd-2", reload.getStatus().getPreviousModelVersion());
    assertEquals(root.resolve("2").toString(), reload.getStatus().getPreviousBundleDir());

    GetModelStatusResponse status = call(admin::getModelStatus, GetModelStatusRequest.getDefaultInstance());
    assertEquals(root.toString(), status.getModelsRoot());
    assertEquals(List.of(1L, 2L), status.getVersionsList().stream().map(ModelRootVersion::getVersion).toList());
    assertEquals(List.of(ModelArm.MODEL_ARM_CONTROL), status.getVersions(0).getServingArmsList());
    assertEquals(List.of(ModelArm.MODEL_ARM_CONTROL), status.getVersions(1).getPreviousArmsList());
    assertEquals(root.resolve("2").toString(), status.getVersions(1).getBundleDir());

    RollbackModelResponse back = call(admin::rollbackModel,
        RollbackModelRequest.newBuilder().setArm(ModelArm.MODEL_ARM_CONTROL).build());
    assertEquals("wd-1", back.getPreviousModelVersion());
    ArmStatus s = back.getStatus();
    assertEquals("wd-2", s.getModelVersion());
    assertEquals(2, s.getRootVersion());
    assertEquals("wd-1", s.getPreviousModelVersion());
    assertEquals("wd-2", registry.current().control().version());

    assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> call(admin::reloadModel,
        ReloadModelRequest.newBuilder().setVersion(9).build())));
    assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> call(admin::reloadModel,
        ReloadModelRequest.newBuilder().setVersion(1).setBundleDir("/x").build())));
    assertEquals(Status.Code.FAILED_PRECONDITION, code(() -> call(admin::rollbackModel,
        RollbackModelRequest.newBuilder().setArm(ModelArm.MODEL_ARM_TREATMENT).build())));
  }

  @Test
  void aRefusedVersionKeepsTheModelAndWithoutARootAVersionIsInvalid() throws Exception {
    TestBundles.withVersion(root.resolve("1"), "wd-1");
    TestBundles.corruptChecksum(root.resolve("2"));
    ModelRegistry registry = new ModelRegistry(0, "s");
    ModelVersions versions = new ModelVersions(registry, root);
    versions.start(1);
    ModelAdminEndpoint admin = endpoint(registry, versions);
    assertEquals(Status.Code.FAILED_PRECONDITION, code(() -> call(admin::reloadModel,
        ReloadModelRequest.newBuilder().setVersion(2).build())));
    assertEquals("wd-1", registry.current().control().version());

    ModelAdminEndpoint plain = endpoint(registry, new ModelVersions(registry, null));
    assertEquals(Status.Code.INVALID_ARGUMENT, code(() -> call(plain::reloadModel,
        ReloadModelRequest.newBuilder().setVersion(1).build())));
    GetModelStatusResponse status = call(plain::getModelStatus, GetModelStatusRequest.getDefaultInstance());
    assertEquals("", status.getModelsRoot());
    assertEquals(0, status.getVersionsCount());
    assertEquals(0, status.getArms(0).getRootVersion());
  }
}
