/** The DJL networks (the synthetic classifier and the U-Net-like generator), their training, and offline access to the PyTorch engine. */
package io.maskserve.trainer.model;
