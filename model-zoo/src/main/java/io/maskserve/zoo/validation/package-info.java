/** Validation of uploaded ONNX classifiers and generators before the zoo publishes them. */
package io.maskserve.zoo.validation;
