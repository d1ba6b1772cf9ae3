/** Optimisers whose state is ours to checkpoint (DJL's keep theirs private). */
package io.maskserve.trainer.optim;
