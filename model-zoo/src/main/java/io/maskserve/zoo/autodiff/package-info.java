/**
 * Reverse-mode automatic differentiation of ONNX classifiers as a graph transform.
 *
 * <p>{@link io.maskserve.zoo.autodiff.Autodiff#augment} takes a classifier (opset 13 to 18, float
 * input [N,3,H,W], first output the logits [N,C]) and returns a model with the same inputs plus
 * {@code target} (int64 [N]) and the same outputs plus {@code input_grad} = d score[n, target[n]] /
 * d input (score: the logit or the log-softmax), and {@code T}, {@code T_grad} for every requested
 * intermediate tensor T. ONNX Runtime runs it like any model; the default-domain opset is raised to
 * 17 when lower (the ops used between 13 and 17 only gained types and attributes).
 *
 * <p>{@link io.maskserve.zoo.autodiff.GradientGraphBuilder} marks the tensors that depend on the
 * input, then walks the nodes in reverse topological order and asks each node's {@link
 * io.maskserve.zoo.autodiff.VjpRule} (registry: {@link io.maskserve.zoo.autodiff.VjpRules}) to emit
 * its vector-Jacobian product as ONNX nodes, only for inputs that depend on the model input (never
 * weight gradients); contributions to a tensor used several times are summed. Shapes: when the
 * input's non-batch dimensions are fixed, {@link io.maskserve.zoo.autodiff.StaticShapes} probes the
 * classifier once in ONNX Runtime (batch 1 and 3) and rules emit constant shapes, with the batch
 * dimension left dynamic (-1 in Reshape targets, 1 in Expand targets), instead of Shape/Gather/Concat
 * chains; otherwise shapes are read in-graph with Shape. Either way any batch size works. Rules: {@link
 * io.maskserve.zoo.autodiff.ElementwiseRules} (Identity, Dropout, Cast, Relu, LeakyRelu, Clip,
 * Sigmoid, Tanh, HardSigmoid, HardSwish, Erf, Exp, Log, Sqrt, Reciprocal, Neg), {@link
 * io.maskserve.zoo.autodiff.BinaryRules} (Add, Sub, Mul, Div with broadcasting, Pow with a constant
 * exponent, Where), {@link io.maskserve.zoo.autodiff.LinearRules} (MatMul, Gemm), {@link
 * io.maskserve.zoo.autodiff.ConvRule} (Conv: stride 1 as a convolution with flipped weights, else
 * ConvTranspose), {@link io.maskserve.zoo.autodiff.PoolRules} (MaxPool, AveragePool,
 * GlobalAveragePool), {@link io.maskserve.zoo.autodiff.ShapeRules} (Reshape, Flatten, Squeeze,
 * Unsqueeze, Expand, Transpose, Concat, Split, Slice, Pad, Gather), {@link
 * io.maskserve.zoo.autodiff.NormRules} (BatchNormalization in inference, LayerNormalization,
 * Softmax, LogSoftmax, ReduceMean, ReduceSum), and gradient-free ops (Shape, Size, Constant,
 * ConstantOfShape, comparisons, Range, ArgMax, Floor, Sign, ...). Any other op on the input's path
 * fails {@link io.maskserve.zoo.autodiff.Autodiff#check} with an {@link
 * io.maskserve.zoo.autodiff.UnsupportedOpException} naming op and node.
 *
 * <p>{@link io.maskserve.zoo.autodiff.ConvLayerFinder} lists a classifier's 4-D feature maps and
 * picks the Grad-CAM layer (the output of the last {@code Conv} with a spatial map larger than 1x1).
 */
package io.maskserve.zoo.autodiff;
