/** ONNX Runtime sessions: device choice (CUDA with CPU fallback), thread settings, single-tensor runs. */
package io.maskserve.server.runtime;
