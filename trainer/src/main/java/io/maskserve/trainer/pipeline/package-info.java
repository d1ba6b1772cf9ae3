/** End-to-end recipes built from the other packages (the synthetic benchmark's classifier). */
package io.maskserve.trainer.pipeline;
