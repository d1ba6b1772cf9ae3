/**
 * The embedded model zoo: model versions as directories on local disk, published atomically with
 * {@code manifest.json} files as commit points.
 */
package io.maskserve.zoo.fs;
