/**
 * {@code maskserve evaluate}: explains a labelled image set with the generator and the baseline
 * methods through a maskserve server, scores every explanation with the reference-semantics
 * metrics of {@link io.maskserve.trainer.metrics} on a local ONNX Runtime copy of the classifier,
 * and writes {@code report.json} and a self-contained {@code report.html}. The command is {@link
 * io.maskserve.cli.evaluate.EvaluateCommand}.
 */
package io.maskserve.cli.evaluate;
