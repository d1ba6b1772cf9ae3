/**
 * Baseline attribution methods, computed on the classifier's own ONNX graphs with ONNX Runtime so
 * that they can be compared with the generator on equal terms: {@link
 * io.maskserve.server.attribution.Gradient}, {@link io.maskserve.server.attribution.SmoothGrad},
 * {@link io.maskserve.server.attribution.IntegratedGradients}, {@link
 * io.maskserve.server.attribution.GradCam}, {@link io.maskserve.server.attribution.Rise} and {@link
 * io.maskserve.server.attribution.Occlusion}, each a {@link
 * io.maskserve.server.attribution.SaliencyMethod} giving a map at input resolution; and {@link
 * io.maskserve.server.attribution.Centre}, the image-blind reference map that localisation scores
 * are read against.
 *
 * <p>Gradients come from the classifier augmented with its backward pass ({@code
 * io.maskserve.zoo.autodiff}, held by {@link io.maskserve.server.registry.GradientModels}); every
 * method runs its inference through an {@link io.maskserve.server.attribution.AttributionRunner},
 * which batches the rows of one query into few ONNX Runtime calls and checks the deadline between
 * batches. {@link io.maskserve.server.attribution.BaselineMethods} turns a request's options into a
 * method, validating them against {@link io.maskserve.server.limits.ServerLimits}. Plain classes
 * with no protocol types: tests and batch jobs use them without a server.
 *
 * <p>Conventions shared by every method: the input is the normalised tensor {@code [3,H,W]}; a
 * removed pixel is 0 in normalised space (the dataset mean), as in the generator's scoring; scores
 * are the target's logit (gradient methods) or its softmax probability (perturbation methods).
 */
package io.maskserve.server.attribution;
