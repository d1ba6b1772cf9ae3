/** The request limits a server enforces, and the per-client limit on calls in progress. */
package io.maskserve.server.limits;
