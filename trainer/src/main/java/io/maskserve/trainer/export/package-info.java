/** ONNX export of the DJL networks, written from their parameters with the model zoo's graph builder. */
package io.maskserve.trainer.export;
