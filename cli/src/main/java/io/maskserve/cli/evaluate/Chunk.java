package io.maskserve.cli.evaluate;

import java.util.List;

/**
 * A run of consecutive evaluation images, loaded.
 *
 * @param first index of the first image in the evaluation
 * @param items the images
 * @param images the loaded images, one per item
 * @param targets the class each image's faithfulness metrics explain (the classifier's top-1)
 * @param partners per image the normalised partner image of the encoding check ({@code [3,H,W]}
 *     each, contiguous; zeros where there is none)
 * @param hasPartner per image whether it has a partner
 */
record Chunk(int first, List<EvalItem> items, List<LoadedImage> images, int[] targets, float[] partners,
    boolean[] hasPartner) {

  int size() {
    return items.size();
  }
}
