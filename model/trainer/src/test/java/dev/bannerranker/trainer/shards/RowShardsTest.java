package dev.bannerranker.trainer.shards;

import static org.junit.jupiter.api.Assertions.*;

import dev.bannerranker.data.BadInputException;
import dev.bannerranker.trainer.dataset.ImpressionDataset;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

public class RowShardsTest {
  private static final RowLayout LAYOUT = new RowLayout(5, 3, 4, 2, 6, 3, 7);

  /** Rows with every field random, including NaN truths and extreme doubles, so only a lossless format passes. */
  static ImpressionDataset randomRows(int n, long seed) {
    return randomRows(LAYOUT, n, seed);
  }

  public static ImpressionDataset randomRows(RowLayout layout, int n, long seed) {
    Random r = new Random(seed);
    ImpressionDataset ds = layout.newDataset(n);
    for (int i = 0; i < n; i++) {
      ds.time[i] = r.nextLong();
      ds.userIdx[i] = r.nextInt(1000) - 1;
      ds.bannerIdx[i] = r.nextInt(50);
      ds.slot[i] = r.nextInt(4);
      ds.part[i] = (byte) r.nextInt(3);
      ds.clicked[i] = r.nextBoolean();
      ds.trueCtr[i] = i % 7 == 0 ? Float.NaN : r.nextFloat();
    }
    fill(ds.userVector, r);
    for (double[] xs : List.of(ds.userScalars, ds.bannerScalars, ds.crossScalars)) {
      for (int j = 0; j < xs.length; j++) {
        xs[j] = j % 11 == 0 ? Double.MIN_VALUE * r.nextInt(9) : r.nextGaussian() * 1e6;
      }
    }
    for (int[] xs : List.of(ds.userCats, ds.tasteBrands, ds.wide)) {
      for (int j = 0; j < xs.length; j++) {
        xs[j] = r.nextInt();
      }
    }
    return ds;
  }

  private static void fill(float[] xs, Random r) {
    for (int j = 0; j < xs.length; j++) {
      xs[j] = (float) r.nextGaussian();
    }
  }

  /** Every field of every row equal, bit for bit. */
  public static void assertSameRows(ImpressionDataset a, ImpressionDataset b) {
    assertEquals(a.size, b.size);
    assertArrayEquals(a.time, b.time);
    assertArrayEquals(a.userIdx, b.userIdx);
    assertArrayEquals(a.bannerIdx, b.bannerIdx);
    assertArrayEquals(a.slot, b.slot);
    assertArrayEquals(a.part, b.part);
    assertArrayEquals(a.clicked, b.clicked);
    assertArrayEquals(a.trueCtr, b.trueCtr);
    assertArrayEquals(a.userVector, b.userVector);
    assertArrayEquals(a.userScalars, b.userScalars);
    assertArrayEquals(a.userCats, b.userCats);
    assertArrayEquals(a.bannerScalars, b.bannerScalars);
    assertArrayEquals(a.crossScalars, b.crossScalars);
    assertArrayEquals(a.tasteBrands, b.tasteBrands);
    assertArrayEquals(a.wide, b.wide);
  }

  @Test
  void roundTripIsBitExactAcrossSeveralFiles(@TempDir Path dir) throws IOException {
    ImpressionDataset ds = randomRows(1003, 7);
    RowShards.write(ds, dir, 100);
    assertEquals(11, RowShards.files(dir).size());
    assertEquals(RowShards.HEADER_BYTES + 3L * LAYOUT.rowBytes(), Files.size(RowShards.files(dir).get(10)));
    assertSameRows(ds, RowShards.readAll(dir));
  }

  @Test
  void rowsWrittenOutOfOrderByTwoWorkersComeBackInLogOrder(@TempDir Path dir) throws IOException {
    ImpressionDataset ds = randomRows(200, 8);
    ShardRow row = new ShardRow(LAYOUT);
    // Two workers, each with every other row, written backwards: the positions put them back.
    try (var a = RowShards.FileWriter.create(dir.resolve("part-b.rows"), LAYOUT);
        var b = RowShards.FileWriter.create(dir.resolve("part-a.rows"), LAYOUT)) {
      for (int i = ds.size - 1; i >= 0; i--) {
        (i % 2 == 0 ? a : b).write(row.copyFrom(ds, i));
      }
    }
    Files.writeString(dir.resolve("_SUCCESS"), "");
    assertSameRows(ds, RowShards.readAll(dir));
  }

  @Test
  void aRepeatedPositionInAnotherFileIsRejectedNamingTheFile(@TempDir Path dir) throws IOException {
    ImpressionDataset ds = randomRows(10, 9);
    ShardRow row = new ShardRow(LAYOUT);
    try (var a = RowShards.FileWriter.create(dir.resolve("a.rows"), LAYOUT);
        var b = RowShards.FileWriter.create(dir.resolve("b.rows"), LAYOUT)) {
      for (int i = 0; i < 5; i++) {
        a.write(row.copyFrom(ds, i));
      }
      for (int i = 4; i < 9; i++) {
        b.write(row.copyFrom(ds, i));
      }
    }
    BadInputException e = assertThrows(BadInputException.class, () -> RowShards.readAll(dir));
    assertTrue(e.getMessage().contains("b.rows") && e.getMessage().contains("row 1"), e.getMessage());
  }

  @Test
  void aTruncatedFileIsNamedBeforeAnyRowIsRead(@TempDir Path dir) throws IOException {
    RowShards.write(randomRows(30, 10), dir, 10);
    Path second = RowShards.files(dir).get(1);
    byte[] bytes = Files.readAllBytes(second);
    Files.write(second, java.util.Arrays.copyOf(bytes, bytes.length - 3));
    BadInputException e = assertThrows(BadInputException.class, () -> RowShards.Reader.open(dir));
    assertTrue(e.getMessage().contains(second.getFileName().toString()), e.getMessage());
  }

  @Test
  void filesOfDifferentLayoutsAreRejected(@TempDir Path dir) throws IOException {
    try (var a = RowShards.FileWriter.create(dir.resolve("a.rows"), LAYOUT);
        var b = RowShards.FileWriter.create(dir.resolve("b.rows"), new RowLayout(6, 3, 4, 2, 6, 3, 7))) {
      a.write(new ShardRow(LAYOUT));
    }
    BadInputException e = assertThrows(BadInputException.class, () -> RowShards.Reader.open(dir));
    assertTrue(e.getMessage().contains("b.rows"), e.getMessage());
  }

  @Test
  void aDirectoryWithoutShardsAndAnOccupiedTargetAreRejected(@TempDir Path dir) throws IOException {
    assertThrows(BadInputException.class, () -> RowShards.files(dir));
    RowShards.write(randomRows(3, 11), dir, 10);
    assertThrows(BadInputException.class, () -> RowShards.write(randomRows(3, 11), dir, 10));
  }

  @Test
  void aGarbledFieldIsRejectedWithFileAndRow(@TempDir Path dir) throws IOException {
    RowShards.write(randomRows(5, 12), dir, 10);
    Path f = RowShards.files(dir).get(0);
    byte[] bytes = Files.readAllBytes(f);
    // The third row's clicked byte: after position, time, user, banner, slot and part.
    bytes[RowShards.HEADER_BYTES + 2 * LAYOUT.rowBytes() + 8 + 8 + 4 + 4 + 4 + 1] = 7;
    Files.write(f, bytes);
    BadInputException e = assertThrows(BadInputException.class, () -> RowShards.readAll(dir));
    assertTrue(e.getMessage().contains("row 3"), e.getMessage());
  }
}
