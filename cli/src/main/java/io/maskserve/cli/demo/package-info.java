/**
 * The parts of {@code maskserve demo}: the embedded default zoo ({@link io.maskserve.cli.demo.DefaultZoo}),
 * the images written per scene ({@link io.maskserve.cli.demo.DemoImages}) and the static result page
 * ({@link io.maskserve.cli.demo.DemoPage}).
 */
package io.maskserve.cli.demo;
