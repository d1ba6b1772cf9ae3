/**
 * Turning untrusted image bytes or caller tensors into the normalised {@code [3,H,W]} float tensor a
 * classifier's manifest describes: safe decoding ({@link io.maskserve.zoo.preprocess.ImageDecoder}),
 * resizing and normalisation ({@link io.maskserve.zoo.preprocess.Preprocessor}) and tensor checks
 * ({@link io.maskserve.zoo.preprocess.TensorValidator}). Bad input is reported as an {@link
 * io.maskserve.zoo.preprocess.InvalidInputException} (unchecked).
 */
package io.maskserve.zoo.preprocess;
