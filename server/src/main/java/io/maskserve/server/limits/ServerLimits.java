package io.maskserve.server.limits;

import java.time.Duration;
import java.util.Objects;

/**
 * Every size, count and time limit the server enforces. Requests beyond a limit that the operator
 * configured (image pixels, encoded bytes, samples, queue, upload size) are rejected with
 * RESOURCE_EXHAUSTED and a message naming the limit; requests that are invalid whatever the limits
 * (corrupt image, negative counts) are INVALID_ARGUMENT.
 *
 * @param maxInboundMessageBytes largest gRPC message accepted (an encoded image travels in one)
 * @param maxImagePixels largest decoded image, width * height
 * @param maxImageSide largest decoded image side
 * @param maxEncodedBytes largest encoded image file
 * @param maxSamples most Bernoulli samples one request may ask for
 * @param maxConcurrentStreams most concurrent calls per HTTP/2 connection
 * @param maxQueue most explanations queued or running per model before new ones are rejected
 * @param maxStreamInFlight most items of one ExplainStream call being processed at once
 * @param defaultDeadline deadline applied to an explanation when the client sets none
 * @param maxUploadBytes largest ONNX file accepted by registration
 * @param maxRiseMasks most RISE masks one request may ask for (each is a classifier row)
 * @param maxSmoothGradSamples most SmoothGrad noisy copies one request may ask for (each a gradient row)
 * @param maxIgSteps most integrated-gradients steps one request may ask for (each a gradient row)
 * @param maxOcclusionWindows most occlusion windows one request may lead to (each a classifier
 *     row; the count follows from the window, the stride and the input size)
 * @param maxCallsPerClient most calls one client may have in progress at once over all its
 *     connections, 0 = unlimited ({@link PerClientCallLimiter})
 */
public record ServerLimits(
    int maxInboundMessageBytes,
    long maxImagePixels,
    int maxImageSide,
    int maxEncodedBytes,
    int maxSamples,
    int maxConcurrentStreams,
    int maxQueue,
    int maxStreamInFlight,
    Duration defaultDeadline,
    long maxUploadBytes,
    int maxRiseMasks,
    int maxSmoothGradSamples,
    int maxIgSteps,
    int maxOcclusionWindows,
    int maxCallsPerClient) {

  /** 32 MiB: room for a large encoded photograph in one message. */
  public static final int DEFAULT_MAX_INBOUND_MESSAGE_BYTES = 32 * 1024 * 1024;

  /**
   * Calls in progress per client by default: as many as the default queue of one model holds, and
   * more than one connection's worth of ExplainStream windows.
   */
  public static final int DEFAULT_MAX_CALLS_PER_CLIENT = 64;

  public ServerLimits {
    positive("maxInboundMessageBytes", maxInboundMessageBytes);
    positive("maxImagePixels", maxImagePixels);
    positive("maxImageSide", maxImageSide);
    positive("maxEncodedBytes", maxEncodedBytes);
    if (maxSamples < 0) {
      throw new IllegalArgumentException("maxSamples must be >= 0, got " + maxSamples);
    }
    positive("maxConcurrentStreams", maxConcurrentStreams);
    positive("maxQueue", maxQueue);
    positive("maxStreamInFlight", maxStreamInFlight);
    Objects.requireNonNull(defaultDeadline, "defaultDeadline");
    if (defaultDeadline.isNegative() || defaultDeadline.isZero()) {
      throw new IllegalArgumentException("defaultDeadline must be positive");
    }
    positive("maxUploadBytes", maxUploadBytes);
    positive("maxRiseMasks", maxRiseMasks);
    positive("maxSmoothGradSamples", maxSmoothGradSamples);
    positive("maxIgSteps", maxIgSteps);
    positive("maxOcclusionWindows", maxOcclusionWindows);
    if (maxCallsPerClient < 0) {
      throw new IllegalArgumentException("maxCallsPerClient must be >= 0 (0 = unlimited), got " + maxCallsPerClient);
    }
  }

  private static void positive(String name, long v) {
    if (v <= 0) {
      throw new IllegalArgumentException(name + " must be positive, got " + v);
    }
  }

  /**
   * The defaults: 32 MiB messages, 4096x4096 images, 64 samples, 64 queued per model; baselines:
   * 8000 RISE masks, 200 SmoothGrad samples, 300 integrated-gradients steps, 10000 occlusion windows;
   * 64 calls in progress per client.
   */
  public static ServerLimits defaults() {
    return builder().build();
  }

  /** A builder starting from the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder starting from these limits. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.maxInboundMessageBytes = maxInboundMessageBytes;
    b.maxImagePixels = maxImagePixels;
    b.maxImageSide = maxImageSide;
    b.maxEncodedBytes = maxEncodedBytes;
    b.maxSamples = maxSamples;
    b.maxConcurrentStreams = maxConcurrentStreams;
    b.maxQueue = maxQueue;
    b.maxStreamInFlight = maxStreamInFlight;
    b.defaultDeadline = defaultDeadline;
    b.maxUploadBytes = maxUploadBytes;
    b.maxRiseMasks = maxRiseMasks;
    b.maxSmoothGradSamples = maxSmoothGradSamples;
    b.maxIgSteps = maxIgSteps;
    b.maxOcclusionWindows = maxOcclusionWindows;
    b.maxCallsPerClient = maxCallsPerClient;
    return b;
  }

  /** Builder of {@link ServerLimits}; every field starts at its default. */
  public static final class Builder {
    private int maxInboundMessageBytes = DEFAULT_MAX_INBOUND_MESSAGE_BYTES;
    private long maxImagePixels = 4096L * 4096L;
    private int maxImageSide = 16384;
    private int maxEncodedBytes = DEFAULT_MAX_INBOUND_MESSAGE_BYTES;
    private int maxSamples = 64;
    private int maxConcurrentStreams = 100;
    private int maxQueue = 64;
    private int maxStreamInFlight = 16;
    private Duration defaultDeadline = Duration.ofSeconds(60);
    private long maxUploadBytes = 1024L * 1024 * 1024;
    // Twice the methods' defaults (RISE 4000 masks, SmoothGrad 50, IG 50 steps) leaves room for
    // studies of the parameters while bounding one request's inference to a few thousand rows.
    private int maxRiseMasks = 8000;
    private int maxSmoothGradSamples = 200;
    private int maxIgSteps = 300;
    private int maxOcclusionWindows = 10_000;
    private int maxCallsPerClient = DEFAULT_MAX_CALLS_PER_CLIENT;

    private Builder() {}

    public Builder maxInboundMessageBytes(int v) {
      maxInboundMessageBytes = v;
      return this;
    }

    public Builder maxImagePixels(long v) {
      maxImagePixels = v;
      return this;
    }

    public Builder maxImageSide(int v) {
      maxImageSide = v;
      return this;
    }

    public Builder maxEncodedBytes(int v) {
      maxEncodedBytes = v;
      return this;
    }

    public Builder maxSamples(int v) {
      maxSamples = v;
      return this;
    }

    public Builder maxConcurrentStreams(int v) {
      maxConcurrentStreams = v;
      return this;
    }

    public Builder maxQueue(int v) {
      maxQueue = v;
      return this;
    }

    public Builder maxStreamInFlight(int v) {
      maxStreamInFlight = v;
      return this;
    }

    public Builder defaultDeadline(Duration v) {
      defaultDeadline = v;
      return this;
    }

    public Builder maxUploadBytes(long v) {
      maxUploadBytes = v;
      return this;
    }

    public Builder maxRiseMasks(int v) {
      maxRiseMasks = v;
      return this;
    }

    public Builder maxSmoothGradSamples(int v) {
      maxSmoothGradSamples = v;
      return this;
    }

    public Builder maxIgSteps(int v) {
      maxIgSteps = v;
      return this;
    }

    public Builder maxOcclusionWindows(int v) {
      maxOcclusionWindows = v;
      return this;
    }

    /** Most calls in progress per client; 0 = unlimited. */
    public Builder maxCallsPerClient(int v) {
      maxCallsPerClient = v;
      return this;
    }

    public ServerLimits build() {
      return new ServerLimits(
          maxInboundMessageBytes,
          maxImagePixels,
          maxImageSide,
          maxEncodedBytes,
          maxSamples,
          maxConcurrentStreams,
          maxQueue,
          maxStreamInFlight,
          defaultDeadline,
          maxUploadBytes,
          maxRiseMasks,
          maxSmoothGradSamples,
          maxIgSteps,
          maxOcclusionWindows,
          maxCallsPerClient);
    }
  }
}
