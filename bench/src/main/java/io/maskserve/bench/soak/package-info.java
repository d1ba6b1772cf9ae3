/**
 * Soak test of a running server (issue 7): many clients mixing valid and invalid requests and
 * stream cancellations for a long time, every outcome classified as expected or unexpected, and
 * the server process's heap, resident memory, threads and file descriptors sampled to show they
 * stay flat. See {@link io.maskserve.bench.soak.SoakMain} and {@code bench/soak.sh}.
 */
package io.maskserve.bench.soak;
