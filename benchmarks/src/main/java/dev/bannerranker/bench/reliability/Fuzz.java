package dev.bannerranker.bench.reliability;

import com.google.protobuf.Timestamp;
import dev.bannerranker.proto.v1.BannerClick;
import dev.bannerranker.proto.v1.BannerImpression;
import dev.bannerranker.proto.v1.DeleteUserRequest;
import dev.bannerranker.proto.v1.GetModelStatusRequest;
import dev.bannerranker.proto.v1.ProductEvent;
import dev.bannerranker.proto.v1.RankRequest;
import dev.bannerranker.proto.v1.RankingContext;
import dev.bannerranker.proto.v1.RecordEventsRequest;
import dev.bannerranker.proto.v1.ReloadModelRequest;
import dev.bannerranker.proto.v1.RollbackModelRequest;
import dev.bannerranker.proto.v1.ShopperProfile;
import dev.bannerranker.proto.v1.UpsertProfilesRequest;
import dev.bannerranker.proto.v1.UserEvent;
import java.util.SplittableRandom;

/**
 * Seeded garbage for every field a client controls: random and valid-looking strings, NUL and control characters,
 * lone surrogates, path tricks, strings past the message limit, bad enum numbers, negative and extreme numbers, NaN,
 * timestamps outside any calendar; and raw bytes in place of a message.
 */
final class Fuzz {
  private final SplittableRandom random;
  private final Requests valid;

  Fuzz(long seed, Requests valid) {
    this.random = new SplittableRandom(seed);
    this.valid = valid;
  }

  /** One of the string shapes; about 1 in 200 is a huge string (up to 1.5 MB, past the default message limit). */
  String string() {
    int kind = random.nextInt(200);
    if (kind == 0) {
      return "x".repeat(100_000 + random.nextInt(1_400_000));
    }
    switch (kind % 14) {
      case 0: return "";
      case 1: return "u-" + String.format("%06d", random.nextInt(1, 1000));
      case 2: return "home_" + (random.nextBoolean() ? "hero" : "carousel");
      case 3: return "bn-" + String.format("%05d", random.nextInt(0, 300));
      case 4: return "a\u0000b";
      case 5: return "../../../../etc/passwd";
      case 6: return "/tmp/../" + ascii(random.nextInt(1, 20));
      case 7: return "\ud83d\ude00\u0301\u202e" + ascii(3); // an emoji, a combining mark, right-to-left override
      case 8: return "\r\n\t\u001b[31m" + ascii(5);
      case 9: return ascii(random.nextInt(200, 5000));
      case 10: return valid.anyBrand(random.nextInt(1000));
      case 11: return valid.anyCategory(random.nextInt(1000));
      case 12: return unicode(random.nextInt(1, 60));
      default: return ascii(random.nextInt(0, 40));
    }
  }

  private String ascii(int n) {
    StringBuilder b = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      b.append((char) random.nextInt(0x20, 0x7f));
    }
    return b.toString();
  }

  private String unicode(int n) {
    StringBuilder b = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      int cp = random.nextInt(0, 0x10ffff + 1);
      b.appendCodePoint(cp >= 0xd800 && cp <= 0xdfff ? 0xfffd : cp); // lone surrogates are the raw bytes' job
    }
    return b.toString();
  }

  int integer() {
    switch (random.nextInt(8)) {
      case 0: return 0;
      case 1: return -1;
      case 2: return Integer.MIN_VALUE;
      case 3: return Integer.MAX_VALUE;
      case 4: return random.nextInt(-10, 10);
      case 5: return random.nextInt();
      default: return random.nextInt(0, 6);
    }
  }

  long longValue() {
    switch (random.nextInt(5)) {
      case 0: return Long.MIN_VALUE;
      case 1: return Long.MAX_VALUE;
      case 2: return random.nextLong();
      default: return random.nextLong(-3, 5);
    }
  }

  float floating() {
    switch (random.nextInt(7)) {
      case 0: return Float.NaN;
      case 1: return Float.POSITIVE_INFINITY;
      case 2: return -1f;
      case 3: return Float.MAX_VALUE;
      case 4: return -0f;
      default: return random.nextFloat() * 100;
    }
  }

  /** Bad enum numbers as often as good ones. */
  int enumNumber() {
    return random.nextBoolean() ? random.nextInt(0, 4) : integer();
  }

  Timestamp timestamp() {
    switch (random.nextInt(6)) {
      case 0: return Timestamp.newBuilder().setSeconds(Long.MIN_VALUE).setNanos(-1).build();
      case 1: return Timestamp.newBuilder().setSeconds(Long.MAX_VALUE).setNanos(Integer.MAX_VALUE).build();
      case 2: return Timestamp.newBuilder().setSeconds(random.nextLong()).setNanos(random.nextInt()).build();
      case 3: return Timestamp.newBuilder().setSeconds(-62_135_596_801L).build(); // before year 1
      case 4: return Timestamp.newBuilder().setSeconds(253_402_300_800L).build(); // after year 9999
      default: return Timestamp.newBuilder().setSeconds(1_773_000_000L + random.nextInt(-500_000, 500_000)).build();
    }
  }

  private int count(int max) {
    return random.nextInt(10) == 0 ? random.nextInt(0, max * 3) : random.nextInt(0, 4);
  }

  RankRequest rank() {
    RankingContext.Builder c = RankingContext.newBuilder().setPlacement(string()).setPlatformValue(enumNumber())
        .setSlotCount(integer()).setLocale(string());
    if (random.nextBoolean()) {
      c.setTimestamp(timestamp());
    }
    RankRequest.Builder b = RankRequest.newBuilder().setUserId(string()).setNumResults(integer())
        .setDebug(random.nextBoolean());
    if (random.nextInt(8) != 0) {
      b.setContext(c);
    }
    for (int i = count(200); i > 0; i--) {
      b.addCandidateBannerIds(string());
    }
    return b.build();
  }

  RecordEventsRequest recordEvents() {
    RecordEventsRequest.Builder b = RecordEventsRequest.newBuilder();
    for (int i = count(400); i > 0; i--) {
      UserEvent.Builder e = UserEvent.newBuilder().setUserId(string());
      if (random.nextBoolean()) {
        e.setTimestamp(timestamp());
      }
      switch (random.nextInt(4)) {
        case 0 -> e.setImpression(BannerImpression.newBuilder().setBannerId(string()).setRequestId(string())
            .setSlotPosition(integer()));
        case 1 -> e.setClick(BannerClick.newBuilder().setBannerId(string()).setRequestId(string()));
        case 2 -> e.setProductEvent(ProductEvent.newBuilder().setTypeValue(enumNumber()).setBrand(string())
            .setCategory(string()).setPriceTier(integer()).setDwellSeconds(floating()));
        default -> { } // no event at all
      }
      b.addEvents(e);
    }
    return b.build();
  }

  UpsertProfilesRequest upsertProfiles() {
    UpsertProfilesRequest.Builder b = UpsertProfilesRequest.newBuilder();
    for (int i = count(400); i > 0; i--) {
      b.addProfiles(ShopperProfile.newBuilder().setUserId(string()).setGender(random.nextBoolean() ? string()
          : new String[] {"F", "M", "U"}[random.nextInt(3)]).setAgeBand(random.nextBoolean() ? string() : "25-34")
          .setCityTier(integer()));
    }
    return b.build();
  }

  ReloadModelRequest reloadModel() {
    ReloadModelRequest.Builder b = ReloadModelRequest.newBuilder().setArmValue(enumNumber());
    if (random.nextBoolean()) {
      b.setBundleDir(string());
    }
    if (random.nextBoolean()) {
      b.setVersion(longValue());
    }
    return b.build();
  }

  GetModelStatusRequest getModelStatus() {
    return GetModelStatusRequest.getDefaultInstance();
  }

  RollbackModelRequest rollbackModel() {
    return RollbackModelRequest.newBuilder().setArmValue(enumNumber()).build();
  }

  DeleteUserRequest deleteUser() {
    return DeleteUserRequest.newBuilder().setUserId(string()).build();
  }

  /**
   * Random bytes, mostly short, sometimes a valid message's prefix with garbage after it, or the valid message with
   * a byte of its strings made invalid UTF-8.
   */
  byte[] bytes(byte[] validMessage) {
    if (random.nextInt(4) == 0 && validMessage.length > 2) {
      byte[] b = validMessage.clone();
      b[random.nextInt(2, b.length)] = (byte) 0xff;
      return b;
    }
    byte[] b = new byte[random.nextInt(10) == 0 ? random.nextInt(0, 100_000) : random.nextInt(0, 300)];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) random.nextInt(256);
    }
    if (random.nextBoolean() && validMessage.length > 0) {
      System.arraycopy(validMessage, 0, b, 0, Math.min(b.length, random.nextInt(validMessage.length)));
    }
    return b;
  }

  boolean chance(int inN) {
    return random.nextInt(inN) == 0;
  }
}
