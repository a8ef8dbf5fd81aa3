package dev.bannerranker.serving.store;

import dev.bannerranker.serving.model.NameDictionary;

/** The kinds of name a stored log refers to by id, each with the process's own dictionary of that kind. */
public enum NameKind {
  BRAND(NameDictionary.BRANDS, 'b'), CATEGORY(NameDictionary.CATEGORIES, 'c'), BANNER(NameDictionary.BANNERS, 'n');

  private final NameDictionary dictionary;
  private final char code;

  NameKind(NameDictionary dictionary, char code) {
    this.dictionary = dictionary;
    this.code = code;
  }

  /** The process's numbering of this kind. */
  public NameDictionary dictionary() {
    return dictionary;
  }

  /** One letter naming the kind in store keys ({@code b}, {@code c}, {@code n}). */
  public char code() {
    return code;
  }
}
