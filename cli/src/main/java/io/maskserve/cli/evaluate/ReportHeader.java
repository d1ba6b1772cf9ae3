package io.maskserve.cli.evaluate;

import io.maskserve.trainer.metrics.DeletionInsertion;
import java.util.List;
import java.util.Objects;

/**
 * What a report says about its run besides the figures.
 *
 * @param model model name
 * @param version model version
 * @param description the model's description (may be empty)
 * @param classConditional whether the generator is class-conditional
 * @param inputHeight classifier input height
 * @param inputWidth classifier input width
 * @param classifierSha256 sha256 of the classifier the metrics ran
 * @param data the {@code --data} path
 * @param format the data format
 * @param truthKind {@code masks}, {@code boxes} or {@code none}
 * @param imagesWithTruth images that have ground truth
 * @param methods the methods
 * @param step pixels per deletion/insertion step
 * @param substrate what deletion replaces pixels with
 * @param seed the seed
 * @param resamples bootstrap resamples
 * @param localisationThreshold the localisation threshold ({@code mean} or a value)
 * @param options the request options
 * @param limit the {@code --limit}, or null
 * @param created when the report was written (ISO-8601)
 */
record ReportHeader(String model, String version, String description, boolean classConditional, int inputHeight,
    int inputWidth, String classifierSha256, String data, String format, String truthKind, long imagesWithTruth,
    List<MethodName> methods, int step, DeletionInsertion.Substrate substrate, long seed, int resamples,
    String localisationThreshold, RequestOptions options, Integer limit, String created) {

  ReportHeader {
    Objects.requireNonNull(model, "model");
    Objects.requireNonNull(version, "version");
    description = description == null ? "" : description;
    methods = List.copyOf(methods);
  }
}
