/**
 * Java client of maskserve: {@link io.maskserve.client.MaskserveClient} for the {@code
 * maskserve.v1} services, and helpers to read responses ({@link io.maskserve.client.Masks},
 * {@link io.maskserve.client.ProbabilityMaps}, {@link io.maskserve.client.SaliencyMaps}, {@link
 * io.maskserve.client.Overlays}) and build
 * requests ({@link io.maskserve.client.ExplainRequests}).
 */
package io.maskserve.client;
