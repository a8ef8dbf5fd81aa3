package dev.bannerranker.trainer.generate;

import java.util.List;

/**
 * The fashion categories. {@code genderSkew} is +1 for categories shopped almost only by women, -1 for men, 0 for
 * neutral; {@code popularity} is a log-weight for how often shoppers browse the category. A scale with n categories
 * uses the first n of {@link #ALL}, so the first eight are a mix of women's, men's and neutral ones.
 */
final class Categories {
  private Categories() {}

  record Category(String name, double genderSkew, double popularity) {}

  static final List<Category> ALL = List.of(
      new Category("dresses", 0.9, 1.0),
      new Category("sneakers", 0.0, 1.2),
      new Category("jeans", 0.0, 1.0),
      new Category("handbags", 0.8, 0.8),
      new Category("t_shirts", 0.0, 1.0),
      new Category("mens_suits", -0.9, 0.2),
      new Category("jackets", 0.0, 0.7),
      new Category("ties", -0.9, -0.3),
      new Category("skirts", 0.9, 0.5),
      new Category("blouses", 0.8, 0.6),
      new Category("heels", 0.9, 0.5),
      new Category("lingerie", 0.9, 0.3),
      new Category("jewelry", 0.6, 0.4),
      new Category("shirts", -0.5, 0.6),
      new Category("hoodies", -0.2, 0.6),
      new Category("coats", 0.0, 0.5),
      new Category("knitwear", 0.1, 0.5),
      new Category("trousers", -0.1, 0.5),
      new Category("shorts", 0.0, 0.3),
      new Category("boots", 0.1, 0.5),
      new Category("sandals", 0.4, 0.3),
      new Category("swimwear", 0.2, 0.2),
      new Category("sportswear", 0.0, 0.6),
      new Category("watches", -0.5, 0.3),
      new Category("sunglasses", 0.0, 0.2),
      new Category("belts", -0.4, 0.0),
      new Category("hats", 0.0, -0.1),
      new Category("scarves", 0.5, 0.0),
      new Category("socks", -0.1, -0.2),
      new Category("backpacks", 0.0, 0.1));

  static List<Category> first(int n) {
    if (n < 1 || n > ALL.size()) {
      throw new IllegalArgumentException("between 1 and " + ALL.size() + " categories, got " + n);
    }
    return ALL.subList(0, n);
  }
}
