package dev.bannerranker.serving.model;

import java.nio.file.Path;

/** Told about every swap and refusal, after the fact; metrics and health listen. */
public interface ModelListener {
  /** {@code previous} is null when the arm had no model. */
  void loaded(Arm arm, ModelGeneration generation, ModelGeneration previous);

  void refused(Arm arm, Path dir, String reason);

  /** The models now serve another live catalog version (the generations in {@code models} serve it). */
  default void catalogChanged(ServingModels models) {}
}
