package io.maskserve.zoo;

/** How an image is brought to a classifier's input size. */
public enum ResizeMode {
  /** Plain bilinear resize to the input height and width (aspect ratio not kept). */
  RESIZE,
  /** Resize so the shorter side matches, then crop the centre (the ImageNet convention). */
  RESIZE_SHORTER_CENTER_CROP
}
