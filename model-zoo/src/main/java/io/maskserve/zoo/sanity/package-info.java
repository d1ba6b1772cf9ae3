/**
 * Sanity checks of explanation methods: {@link io.maskserve.zoo.sanity.ParameterRandomizer} makes
 * the randomised classifiers of the model parameter randomisation test (Adebayo et al., "Sanity
 * Checks for Saliency Maps", NeurIPS 2018).
 */
package io.maskserve.zoo.sanity;
