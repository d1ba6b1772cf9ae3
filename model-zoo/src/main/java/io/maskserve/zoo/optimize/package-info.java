/**
 * Rewrites of a classifier's ONNX graph that compute the same values faster in ONNX Runtime, applied
 * in memory when maskserve opens a session (the zoo's files are never changed).
 */
package io.maskserve.zoo.optimize;
