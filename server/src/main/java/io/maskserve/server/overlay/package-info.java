/** Rendering of a mask over its image as a PNG. */
package io.maskserve.server.overlay;
