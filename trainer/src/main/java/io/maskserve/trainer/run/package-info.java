/**
 * A training run on disk: its settings, resumable checkpoints written atomically every N steps,
 * the metrics log and the progress display.
 */
package io.maskserve.trainer.run;
