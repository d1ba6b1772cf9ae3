/** Synthetic scenes with known ground truth (the shape of one target object among distractors, object masks saved) and the fixed on-disk layout of evaluation sets. */
package io.maskserve.trainer.synth;
