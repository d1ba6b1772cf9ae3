/**
 * Building small ONNX graphs in Java on the {@code ai.onnx.proto.OnnxMl} protobuf classes, and the
 * fixed-weight reference generators the project ships until a trained generator is registered.
 */
package io.maskserve.zoo.onnx;
