package dev.bannerranker.trainer.generate;

import java.util.HashSet;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;

/** Synthesises plausible, unique, CSV-safe brand names from syllables, deterministically from a stream. */
final class BrandNames {
  private BrandNames() {}

  private static final String[] SYLLABLES = {
      "ra", "vel", "lu", "mi", "no", "ka", "sa", "ve", "li", "an", "to", "mar", "bel", "cor", "di", "el", "fa",
      "gi", "la", "lo", "ne", "ri", "so", "ta", "va", "zo", "ber", "lin", "mon", "nor", "sen", "ter", "ol", "is",
      "ko", "de", "vi", "ro", "ma", "ni"};
  private static final String[] SUFFIXES = {
      "Studio", "Atelier", "& Co", "Label", "Collective", "Paris", "Milano", "Denim", "Basics", "London"};
  private static final double SUFFIX_PROBABILITY = 0.25;
  private static final double THREE_SYLLABLE_PROBABILITY = 0.4;

  static String[] generate(int count, SplittableRandom rng) {
    String[] names = new String[count];
    Set<String> used = new HashSet<>(); // membership only, never iterated
    for (int i = 0; i < count; i++) {
      String name;
      do {
        int syllables = rng.nextDouble() < THREE_SYLLABLE_PROBABILITY ? 3 : 2;
        StringBuilder sb = new StringBuilder();
        for (int s = 0; s < syllables; s++) {
          sb.append(SYLLABLES[rng.nextInt(SYLLABLES.length)]);
        }
        name = sb.substring(0, 1).toUpperCase(Locale.ROOT) + sb.substring(1);
        if (rng.nextDouble() < SUFFIX_PROBABILITY) {
          name = name + " " + SUFFIXES[rng.nextInt(SUFFIXES.length)];
        }
      } while (!used.add(name.toLowerCase(Locale.ROOT)));
      names[i] = name;
    }
    return names;
  }
}
