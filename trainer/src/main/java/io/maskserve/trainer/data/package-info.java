/** Labelled image sets in memory: synthetic scenes or image folders, normalised as a classifier expects. */
package io.maskserve.trainer.data;
