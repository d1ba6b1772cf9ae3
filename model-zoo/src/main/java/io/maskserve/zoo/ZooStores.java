package io.maskserve.zoo;

import io.maskserve.zoo.fs.FileSystemZooStore;
import io.maskserve.zoo.fs.StoreLimits;
import io.maskserve.zoo.s3.S3ZooStore;

/** Opens the {@link ZooStore} of a {@link ZooLocation}. */
public final class ZooStores {

  private ZooStores() {}

  /**
   * Opens the store at {@code location}: a {@link FileSystemZooStore} for a directory (created and
   * recovered), an {@link S3ZooStore} for a bucket (which must exist). Close the result if it is
   * {@link AutoCloseable}.
   *
   * @throws ZooException if the store cannot be opened
   */
  public static ZooStore open(ZooLocation location, ModelValidator validator, StoreLimits limits) {
    if (location instanceof ZooLocation.Directory d) {
      return FileSystemZooStore.open(d.path(), validator, limits);
    }
    ZooLocation.S3 s3 = (ZooLocation.S3) location;
    return S3ZooStore.open(s3.options(), validator, limits);
  }
}
