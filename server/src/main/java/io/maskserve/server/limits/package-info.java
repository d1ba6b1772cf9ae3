/** The request limits a server enforces. */
package io.maskserve.server.limits;
