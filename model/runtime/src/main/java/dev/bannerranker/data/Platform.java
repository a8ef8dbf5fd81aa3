package dev.bannerranker.data;

import java.util.Locale;

/** Client platform of an impression: web, ios or android. */
public enum Platform {
  WEB, IOS, ANDROID;

  public String code() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Platform parse(String code) {
    switch (code) {
      case "web": return WEB;
      case "ios": return IOS;
      case "android": return ANDROID;
      default: throw new IllegalArgumentException("platform must be web, ios or android, got '" + code + "'");
    }
  }
}
