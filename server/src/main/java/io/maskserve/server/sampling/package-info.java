/** Binary masks from keep-probability maps: thresholding, seeded Bernoulli sampling, bit packing. */
package io.maskserve.server.sampling;
