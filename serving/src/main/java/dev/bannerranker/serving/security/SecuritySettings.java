package dev.bannerranker.serving.security;

import io.micronaut.context.annotation.ConfigurationProperties;
import io.micronaut.core.annotation.Nullable;

/**
 * {@code ranker.security}: the bearer tokens calls must present. Each token is given inline or as a file (a
 * mounted secret); an empty token leaves those calls open. application.yml fills the inline ones from
 * {@code RANKER_WRITE_TOKEN}, {@code RANKER_ADMIN_TOKEN} and {@code RANKER_RANK_TOKEN}.
 *
 * @param writeToken token of the write RPCs (RecordEvents, UpsertProfiles)
 * @param writeTokenFile file holding the write token
 * @param adminToken token of the admin services (ModelAdminService, CatalogAdminService)
 * @param adminTokenFile file holding the admin token
 * @param rankToken token of Rank; empty leaves Rank open
 * @param rankTokenFile file holding the Rank token
 */
@ConfigurationProperties("ranker.security")
public record SecuritySettings(
    @Nullable String writeToken,
    @Nullable String writeTokenFile,
    @Nullable String adminToken,
    @Nullable String adminTokenFile,
    @Nullable String rankToken,
    @Nullable String rankTokenFile) {

  public SecuritySettings {
    writeToken = blankToEmpty(writeToken);
    writeTokenFile = blankToEmpty(writeTokenFile);
    adminToken = blankToEmpty(adminToken);
    adminTokenFile = blankToEmpty(adminTokenFile);
    rankToken = blankToEmpty(rankToken);
    rankTokenFile = blankToEmpty(rankTokenFile);
  }

  /** No token anywhere: every call open, as the quick start runs. */
  public static SecuritySettings open() {
    return new SecuritySettings("", "", "", "", "", "");
  }

  private static String blankToEmpty(String s) {
    return s == null || s.isBlank() ? "" : s.strip();
  }
}
