package io.maskserve.zoo.s3;

import java.time.Duration;
import software.amazon.awssdk.auth.credentials.DefaultCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.S3ClientBuilder;

/** Builds the S3 client of an {@link S3ZooStore} from {@link S3ZooOptions}. */
public final class S3Clients {

  private S3Clients() {}

  /**
   * A client for {@code options}: the JDK's HTTP client (no Netty or Apache HttpClient), credentials
   * from the SDK's default chain (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, the aws.accessKeyId /
   * aws.secretAccessKey system properties, profiles, container or instance roles).
   */
  public static S3Client create(S3ZooOptions options) {
    S3ClientBuilder b = S3Client.builder()
        .httpClientBuilder(UrlConnectionHttpClient.builder()
            .connectionTimeout(Duration.ofSeconds(10))
            .socketTimeout(Duration.ofSeconds(60)))
        .credentialsProvider(DefaultCredentialsProvider.builder().build())
        // The store hashes every artefact itself (sha256 in the manifest); the SDK's default
        // trailing CRC checksums use aws-chunked uploads that many S3-compatible servers reject.
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .forcePathStyle(options.pathStyle());
    if (options.endpoint() != null) {
      b.endpointOverride(options.endpoint());
    }
    if (options.region() != null) {
      b.region(Region.of(options.region()));
    } else if (options.endpoint() != null) {
      b.region(Region.US_EAST_1); // S3-compatible servers rarely care, but SigV4 needs one
    }
    return b.build();
  }
}
