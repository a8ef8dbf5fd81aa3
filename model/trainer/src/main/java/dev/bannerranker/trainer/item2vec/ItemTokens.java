package dev.bannerranker.trainer.item2vec;

/** Token names in the item2vec corpus; prefixes keep brands, categories and banners apart. */
public final class ItemTokens {
  private ItemTokens() {}

  public static String brand(String brand) {
    return "b:" + brand;
  }

  public static String category(String category) {
    return "c:" + category;
  }

  public static String banner(String bannerId) {
    return "a:" + bannerId;
  }
}
