package io.maskserve.zoo.testing;

import java.net.URI;
import java.time.Duration;
import java.util.Properties;
import org.gaul.s3proxy.AuthenticationType;
import org.gaul.s3proxy.S3Proxy;
import org.jclouds.ContextBuilder;
import org.jclouds.blobstore.BlobStoreContext;
import software.amazon.awssdk.auth.credentials.AwsBasicCredentials;
import software.amazon.awssdk.auth.credentials.StaticCredentialsProvider;
import software.amazon.awssdk.core.checksums.RequestChecksumCalculation;
import software.amazon.awssdk.core.interceptor.ExecutionInterceptor;
import software.amazon.awssdk.core.checksums.ResponseChecksumValidation;
import software.amazon.awssdk.http.urlconnection.UrlConnectionHttpClient;
import software.amazon.awssdk.regions.Region;
import software.amazon.awssdk.services.s3.S3Client;

/**
 * A real S3-protocol server (s3proxy over jclouds' in-memory blob store) on a free loopback port
 * in the test JVM, with SigV4 authentication, and a client for it. Child processes reach it through
 * {@link #endpoint()} with {@link #ACCESS_KEY} / {@link #SECRET_KEY}.
 */
public final class EmbeddedS3 implements AutoCloseable {

  /** The access key the server accepts. */
  public static final String ACCESS_KEY = "maskserve-test-access";
  /** The secret key the server accepts. */
  public static final String SECRET_KEY = "maskserve-test-secret-key-0123456789";

  private final BlobStoreContext context;
  private final S3Proxy proxy;
  private final URI endpoint;
  private final S3Client client;

  private EmbeddedS3(BlobStoreContext context, S3Proxy proxy, URI endpoint) {
    this.context = context;
    this.proxy = proxy;
    this.endpoint = endpoint;
    this.client = client(endpoint);
  }

  /** Starts the server and waits until it accepts requests. */
  public static EmbeddedS3 start() throws Exception {
    Properties props = new Properties();
    BlobStoreContext context = ContextBuilder.newBuilder("transient")
        .credentials("identity", "credential")
        .overrides(props)
        .build(BlobStoreContext.class);
    S3Proxy proxy = S3Proxy.builder()
        .blobStore(context.getBlobStore())
        .endpoint(URI.create("http://127.0.0.1:0"))
        .awsAuthentication(AuthenticationType.AWS_V2_OR_V4, ACCESS_KEY, SECRET_KEY)
        .build();
    proxy.start();
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (!"STARTED".equals(proxy.getState())) {
      if (System.nanoTime() > deadline) {
        proxy.stop();
        context.close();
        throw new IllegalStateException("s3proxy did not start: " + proxy.getState());
      }
      Thread.sleep(10);
    }
    return new EmbeddedS3(context, proxy, URI.create("http://127.0.0.1:" + proxy.getPort()));
  }

  /** {@code http://127.0.0.1:PORT}. */
  public URI endpoint() {
    return endpoint;
  }

  /** A client of this server (closed by {@link #close}). */
  public S3Client client() {
    return client;
  }

  /** Creates a bucket. */
  public void createBucket(String bucket) {
    client.createBucket(b -> b.bucket(bucket));
  }

  /** A new client of an S3 endpoint with this server's keys, path-style; the caller closes it. */
  public static S3Client client(URI endpoint) {
    return client(endpoint, new ExecutionInterceptor() {});
  }

  /** {@link #client(URI)} whose requests also pass {@code interceptor} (to observe them). */
  public static S3Client client(URI endpoint, ExecutionInterceptor interceptor) {
    return S3Client.builder()
        .overrideConfiguration(c -> c.addExecutionInterceptor(interceptor))
        .httpClientBuilder(UrlConnectionHttpClient.builder())
        .endpointOverride(endpoint)
        .region(Region.US_EAST_1)
        .forcePathStyle(true)
        .credentialsProvider(StaticCredentialsProvider.create(AwsBasicCredentials.create(ACCESS_KEY, SECRET_KEY)))
        .requestChecksumCalculation(RequestChecksumCalculation.WHEN_REQUIRED)
        .responseChecksumValidation(ResponseChecksumValidation.WHEN_REQUIRED)
        .build();
  }

  @Override
  public void close() throws Exception {
    client.close();
    try {
      proxy.stop();
    } finally {
      context.close();
    }
  }
}
