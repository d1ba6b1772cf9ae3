/**
 * maskserve's performance harness (issue 6): {@link io.maskserve.bench.LatencyMain} runs the JMH
 * in-process latency benchmarks ({@link io.maskserve.bench.ExplainLatencyBenchmark}) and prints
 * their ratios; {@link io.maskserve.bench.ServingMain} loads a running server over gRPC with
 * concurrent clients ({@link io.maskserve.bench.LoadGenerator}) and compares its throughput with
 * the raw batched ONNX Runtime floor ({@link io.maskserve.bench.RawThroughput}). Both print
 * figures; neither is a test. {@code bench/performance.sh} runs everything.
 */
package io.maskserve.bench;
