/**
 * Loaded models over the zoo: resolution of name and version (or latest with a generator),
 * session caching by checksum, refresh from disk, and reference counting so that deleted models
 * stay usable by the calls that started on them.
 */
package io.maskserve.server.registry;
