package dev.bannerranker.bundle;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import java.util.List;

/**
 * Where a bundle came from: the build that trained it and the data it was trained on. Keys absent from older
 * manifests read as null.
 *
 * @param trainer the trainer and its project version, e.g. {@code banner-ranker-model-trainer 0.1.0}
 * @param gitCommit the commit the trainer was built from, or {@code unknown}
 * @param java the JVM version that trained
 * @param deeplearning4j the DL4J version that trained
 * @param osArch the processor architecture that trained ({@code os.arch})
 * @param dataDir the input directory, absolute
 * @param dataFormat the input format's code ({@code own} or {@code movielens})
 * @param inputFiles the files of {@code dataDir} the data fingerprint covers
 */
// Keys in alphabetical order, as the manifest was written when these were maps.
@JsonInclude(JsonInclude.Include.NON_NULL)
@JsonPropertyOrder(alphabetic = true)
public record Provenance(
    String trainer,
    @JsonProperty("git_commit") String gitCommit,
    String java,
    String deeplearning4j,
    @JsonProperty("os_arch") String osArch,
    @JsonProperty("data_dir") String dataDir,
    @JsonProperty("data_format") String dataFormat,
    @JsonProperty("input_files") List<String> inputFiles) {

  /** A provenance naming only what made the bundle, for bundles built outside the trainer (tests, tools). */
  public static Provenance of(String trainer) {
    return new Provenance(trainer, null, null, null, null, null, null, null);
  }
}
