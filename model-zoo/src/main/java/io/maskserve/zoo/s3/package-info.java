/**
 * A model zoo shared by server replicas in an S3-compatible object store (AWS S3, MinIO, s3proxy,
 * ...): immutable, checksummed artefact objects plus one manifest object per version as its publish
 * point, and a local cache of downloaded artefacts. See {@link io.maskserve.zoo.s3.S3ZooStore}.
 */
package io.maskserve.zoo.s3;
