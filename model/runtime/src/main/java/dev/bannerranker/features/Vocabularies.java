package dev.bannerranker.features;

/** The dictionaries of one model, stored in the bundle as {@code vocab.json}. */
public record Vocabularies(
    Vocabulary brands,
    Vocabulary categories,
    Vocabulary placements,
    Vocabulary creativeFormats,
    Vocabulary creativeColors,
    Vocabulary banners) {}
