package io.maskserve.zoo.s3;

import static io.maskserve.zoo.RegistrationChecks.requireComplete;
import static io.maskserve.zoo.RegistrationChecks.generatorExists;
import static io.maskserve.zoo.RegistrationChecks.notFound;
import static io.maskserve.zoo.RegistrationChecks.requireShaFormat;
import static io.maskserve.zoo.RegistrationChecks.runValidator;
import static io.maskserve.zoo.RegistrationChecks.runValidatorFor;
import static io.maskserve.zoo.RegistrationChecks.threshold;
import static io.maskserve.zoo.RegistrationChecks.verifySha;
import static io.maskserve.zoo.RegistrationChecks.versionExists;

import ai.onnx.proto.OnnxMl.ModelProto;
import io.maskserve.zoo.Artifact;
import io.maskserve.zoo.ClassifierRegistration;
import io.maskserve.zoo.GeneratorRegistration;
import io.maskserve.zoo.GeneratorShape;
import io.maskserve.zoo.GeneratorSpec;
import io.maskserve.zoo.ModelKey;
import io.maskserve.zoo.ModelManifest;
import io.maskserve.zoo.ModelNames;
import io.maskserve.zoo.ModelValidator;
import io.maskserve.zoo.ZooException;
import io.maskserve.zoo.ZooException.Reason;
import io.maskserve.zoo.ZooStore;
import io.maskserve.zoo.autodiff.Autodiff;
import io.maskserve.zoo.autodiff.AutodiffOptions;
import io.maskserve.zoo.autodiff.UnsupportedOpException;
import io.maskserve.zoo.fs.FileSystemZooStore;
import io.maskserve.zoo.fs.InvalidManifestException;
import io.maskserve.zoo.fs.ManifestCodec;
import io.maskserve.zoo.fs.StoreLimits;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import software.amazon.awssdk.core.ResponseInputStream;
import software.amazon.awssdk.core.exception.SdkException;
import software.amazon.awssdk.core.sync.RequestBody;
import software.amazon.awssdk.services.s3.S3Client;
import software.amazon.awssdk.services.s3.model.GetObjectRequest;
import software.amazon.awssdk.services.s3.model.GetObjectResponse;
import software.amazon.awssdk.services.s3.model.HeadObjectResponse;
import software.amazon.awssdk.services.s3.model.ListObjectsV2Request;
import software.amazon.awssdk.services.s3.model.NoSuchBucketException;
import software.amazon.awssdk.services.s3.model.NoSuchKeyException;
import software.amazon.awssdk.services.s3.model.PutObjectRequest;
import software.amazon.awssdk.services.s3.model.S3Exception;
import software.amazon.awssdk.services.s3.model.S3Object;

/**
 * A {@link ZooStore} in an S3-compatible object store, shared by any number of server replicas
 * and CLI processes. Object layout (see {@link S3Layout}):
 *
 * <pre>
 * PREFIX&lt;name&gt;/&lt;version&gt;/manifest.json                publish point, written last
 * PREFIX&lt;name&gt;/&lt;version&gt;/&lt;sha256&gt;/classifier.onnx
 * PREFIX&lt;name&gt;/&lt;version&gt;/&lt;sha256&gt;/generator.onnx
 * </pre>
 *
 * The manifest is the JSON the file-system store writes ({@link ManifestCodec}); artefact keys are
 * derived from it (their sha256 is in the key), so artefact objects are never overwritten with
 * other bytes.
 *
 * <p><b>Publishing.</b> S3 has no rename, but a PUT replaces an object atomically and reads after
 * a write are strongly consistent. An upload is staged in the local cache (hashed and
 * size-limited on the way), checked against the expected sha256 and validated like the file-system
 * store does; then its artefact object is written, and only then the manifest object (a new one
 * for a classifier, a replacement naming the generator for a generator). A reader lists and reads
 * manifest objects only, so it sees a version only once its manifest exists, and that manifest
 * names artefacts that already exist with their sha256 and size: never a half model. A crash
 * between the two writes leaves an artefact object no manifest names, which no reader sees (it is
 * not removed automatically; a later delete of the version removes only the artefacts its manifest
 * names). Deleting a version deletes its manifest first (unpublish), then its artefacts; deleting a
 * generator replaces the manifest with one without it, then deletes the generator object.
 *
 * <p><b>Racing writers.</b> A new manifest is written with {@code If-None-Match: *} and a changed
 * one with {@code If-Match: <etag of the manifest read>}, so on stores that honour S3's conditional
 * writes (AWS S3, MinIO, Cloudflare R2, ...) exactly one of two replicas registering the same
 * version or generator wins; the other gets ALREADY_EXISTS and removes its artefact unless the
 * winner's manifest names the same bytes. Servers that ignore those headers (s3proxy 2.6.0 among
 * them) get a best-effort check instead: the manifest's absence (or unchanged ETag) is checked just
 * before the write, and the writer reads the manifest back and wins only if it still carries its
 * writer id. Two writers whose write-and-read-back sequences interleave exactly can then both be
 * told they won, the later manifest replacing the earlier; readers still never see a half model.
 *
 * <p><b>Other replicas' changes.</b> Nothing is cached in memory beyond one listing: {@link #list}
 * lists the manifest objects every time (re-reading only those whose ETag changed), and {@link
 * #get} reads the manifest object, so registrations and deletions made through any replica are seen
 * by the next call. A server refreshes its registry from {@link #list} every {@code
 * --refresh-interval}, which bounds how long it keeps serving a version another replica deleted or
 * stays unaware of one it registered (a request naming a version explicitly looks it up at once).
 *
 * <p><b>Local cache.</b> {@link #localFile} downloads an artefact to the cache directory (see
 * {@link LocalCache}) through a temp file, verifying its size and sha256 against the manifest
 * before the atomic rename that makes it visible; a mismatch is INTERNAL naming the object, and no
 * file is left. A download stops as soon as an object is longer than its manifest says, and
 * artefacts larger than {@link StoreLimits#maxUploadBytes()} are refused before any byte is fetched. The gradient model
 * ({@link #gradientModel}) is built locally from the cached classifier and cached beside it.
 *
 * <p>All methods throw {@link ZooException}: INVALID_ARGUMENT (bad names, validation, checksum of
 * an upload), NOT_FOUND, ALREADY_EXISTS, FAILED_PRECONDITION (a manifest changed concurrently;
 * retry), RESOURCE_EXHAUSTED (size limits, local disk full), INTERNAL (the object store failed or
 * holds a corrupt artefact). Thread-safe.
 */
public final class S3ZooStore implements ZooStore, AutoCloseable {

  /** User metadata naming the writer of a manifest object, checked by the read-back. */
  static final String WRITER_METADATA = "maskserve-writer";

  private static final Logger log = LoggerFactory.getLogger(S3ZooStore.class);
  private static final int MAX_WARNINGS_REMEMBERED = 10_000;

  private final S3Client s3;
  private final boolean ownsClient;
  private final String bucket;
  private final S3Layout layout;
  private final LocalCache cache;
  private final ModelValidator validator;
  private final StoreLimits limits;
  private final ManifestCodec codec = new ManifestCodec();
  /** Manifests parsed by the last listings, by object key, valid while the object's ETag is the same. */
  private final Map<String, Seen> seen = new ConcurrentHashMap<>();
  private final Map<Path, Object> fileLocks = new ConcurrentHashMap<>();
  private final Set<String> warned = ConcurrentHashMap.newKeySet();

  /** A manifest object as read: its parsed content (null if invalid) and its ETag. */
  private record Seen(ModelManifest manifest, String etag) {}

  private S3ZooStore(S3Client s3, boolean ownsClient, String bucket, String prefix, LocalCache cache,
      ModelValidator validator, StoreLimits limits) {
    this.s3 = s3;
    this.ownsClient = ownsClient;
    this.bucket = bucket;
    this.layout = new S3Layout(prefix);
    this.cache = cache;
    this.validator = validator;
    this.limits = limits;
  }

  /**
   * Opens the store {@code options} describes, with its own client ({@link S3Clients#create}),
   * closed by {@link #close}.
   *
   * @throws ZooException FAILED_PRECONDITION if the bucket does not exist, INTERNAL if it cannot be
   *     reached or the cache directory cannot be created
   */
  public static S3ZooStore open(S3ZooOptions options, ModelValidator validator, StoreLimits limits) {
    S3Client client = S3Clients.create(options);
    try {
      return open(client, true, options.bucket(), options.prefix(), options.effectiveCacheDir(), validator, limits);
    } catch (RuntimeException e) {
      client.close();
      throw e;
    }
  }

  /**
   * Opens a store over an existing client, which the caller keeps and closes.
   *
   * @param prefix key prefix ("" for the bucket root)
   * @param cacheDir where artefacts are downloaded (created if missing; may be shared by processes)
   */
  public static S3ZooStore open(S3Client s3, String bucket, String prefix, Path cacheDir, ModelValidator validator,
      StoreLimits limits) {
    return open(s3, false, bucket, prefix, cacheDir, validator, limits);
  }

  private static S3ZooStore open(S3Client s3, boolean owns, String bucket, String prefix, Path cacheDir,
      ModelValidator validator, StoreLimits limits) {
    Objects.requireNonNull(s3, "s3");
    Objects.requireNonNull(bucket, "bucket");
    Objects.requireNonNull(cacheDir, "cacheDir");
    Objects.requireNonNull(validator, "validator");
    Objects.requireNonNull(limits, "limits");
    LocalCache cache;
    try {
      cache = new LocalCache(cacheDir);
    } catch (IOException e) {
      throw new ZooException(Reason.INTERNAL, "cannot create the S3 zoo cache directory " + cacheDir + ": " + e, e);
    }
    S3ZooStore store = new S3ZooStore(s3, owns, bucket, prefix, cache, validator, limits);
    try {
      s3.headBucket(b -> b.bucket(bucket));
    } catch (NoSuchBucketException e) {
      throw new ZooException(Reason.FAILED_PRECONDITION, "the S3 bucket '" + bucket + "' does not exist; create it"
          + " first", e);
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        throw new ZooException(Reason.FAILED_PRECONDITION, "the S3 bucket '" + bucket + "' does not exist; create it"
            + " first", e);
      }
      throw store.failure("opening the model zoo " + store, e);
    } catch (SdkException e) {
      throw store.failure("opening the model zoo " + store, e);
    }
    log.debug("opened {} (cache {})", store, cache.root());
    return store;
  }

  /** The store's limits. */
  public StoreLimits limits() {
    return limits;
  }

  /** The local cache directory. */
  public Path cacheDir() {
    return cache.root();
  }

  // ------------------------------------------------------------------------------------ reading

  @Override
  public List<ModelManifest> list() {
    List<ModelManifest> out = listUnder(layout.prefix());
    out.sort(Comparator.comparing(ModelManifest::name).thenComparing(ModelManifest::version, ModelNames.VERSION_ORDER));
    return out;
  }

  @Override
  public Optional<ModelManifest> get(ModelKey key) {
    Objects.requireNonNull(key, "key");
    return readManifest(key).map(Seen::manifest);
  }

  @Override
  public Optional<ModelManifest> latest(String name, boolean withGenerator) {
    ModelNames.requireValidName(name);
    return listUnder(layout.namePrefix(name)).stream()
        .filter(m -> m.name().equals(name))
        .filter(m -> !withGenerator || m.generator().isPresent())
        .max(Comparator.comparing(ModelManifest::version, ModelNames.VERSION_ORDER));
  }

  /** The manifests under {@code keyPrefix}, re-reading only manifest objects whose ETag changed. */
  private List<ModelManifest> listUnder(String keyPrefix) {
    List<ModelManifest> out = new ArrayList<>();
    Set<String> present = new HashSet<>();
    try {
      ListObjectsV2Request req = ListObjectsV2Request.builder().bucket(bucket).prefix(keyPrefix).build();
      for (S3Object o : s3.listObjectsV2Paginator(req).contents()) {
        Optional<ModelKey> key = layout.manifestOf(o.key());
        if (key.isEmpty()) {
          continue;
        }
        present.add(o.key());
        Seen known = seen.get(o.key());
        if (known == null || !known.etag().equals(o.eTag())) {
          known = readManifest(key.get()).orElse(null); // null: deleted since the listing
        }
        if (known != null && known.manifest() != null) {
          out.add(known.manifest());
        }
      }
    } catch (SdkException e) {
      throw failure("listing the model zoo " + this, e);
    }
    // Forget manifests that are gone, so a deleted version is never served from memory.
    seen.keySet().removeIf(k -> k.startsWith(keyPrefix) && !present.contains(k));
    return out;
  }

  /** Reads a version's manifest object afresh; an invalid one is logged once and reads as absent. */
  private Optional<Seen> readManifest(ModelKey key) {
    String objectKey = layout.manifestKey(key);
    GetObjectRequest req = GetObjectRequest.builder().bucket(bucket).key(objectKey).build();
    try (ResponseInputStream<GetObjectResponse> in = s3.getObject(req)) {
      String etag = in.response().eTag();
      Long length = in.response().contentLength();
      byte[] bytes = length != null && length > ManifestCodec.MAX_MANIFEST_BYTES
          ? new byte[ManifestCodec.MAX_MANIFEST_BYTES + 1]
          : in.readNBytes(ManifestCodec.MAX_MANIFEST_BYTES + 1);
      if (bytes.length > ManifestCodec.MAX_MANIFEST_BYTES) {
        in.abort(); // never read more of an oversized object
      }
      Seen s;
      try {
        ModelManifest m = codec.read(bytes);
        if (!m.key().equals(key)) {
          warnOnce(objectKey, "holds a manifest of " + m.key() + "; ignored");
          m = null;
        }
        s = new Seen(m, etag);
      } catch (InvalidManifestException e) {
        warnOnce(objectKey, "is not a valid manifest (" + e.getMessage() + "); ignored");
        s = new Seen(null, etag);
      }
      seen.put(objectKey, s);
      return s.manifest() == null ? Optional.empty() : Optional.of(s);
    } catch (NoSuchKeyException e) {
      seen.remove(objectKey);
      return Optional.empty();
    } catch (IOException e) {
      throw new ZooException(Reason.INTERNAL, "reading the manifest of " + key + " from " + this + " failed: " + e, e);
    } catch (SdkException e) {
      throw failure("reading the manifest of " + key, e);
    }
  }

  /** Whether a manifest object (valid or not) exists for {@code key}. */
  private boolean manifestExists(ModelKey key) {
    try {
      s3.headObject(b -> b.bucket(bucket).key(layout.manifestKey(key)));
      return true;
    } catch (NoSuchKeyException e) {
      return false;
    } catch (S3Exception e) {
      if (e.statusCode() == 404) {
        return false;
      }
      throw failure("checking whether " + key + " exists", e);
    } catch (SdkException e) {
      throw failure("checking whether " + key + " exists", e);
    }
  }

  @Override
  public Path localFile(ModelManifest manifest, Artifact artifact) {
    Objects.requireNonNull(manifest, "manifest");
    Objects.requireNonNull(artifact, "artifact");
    if (!ModelNames.isValid(artifact.file())) {
      throw new ZooException(Reason.INVALID_ARGUMENT, "artifact file name '" + artifact.file() + "' is invalid");
    }
    if (artifact.sizeBytes() > limits.maxUploadBytes()) {
      throw new ZooException(Reason.RESOURCE_EXHAUSTED, "the " + artifact.file() + " of " + manifest.key() + " has "
          + artifact.sizeBytes() + " bytes, over this store's limit of " + limits.maxUploadBytes() + " bytes");
    }
    ModelKey key = manifest.key();
    try {
      Path file = cache.verifiedOrNull(key, artifact);
      if (file != null) {
        return file;
      }
      synchronized (fileLocks.computeIfAbsent(cache.path(key, artifact), p -> new Object())) {
        file = cache.verifiedOrNull(key, artifact);
        if (file != null) {
          return file;
        }
        return download(key, artifact);
      }
    } catch (IOException e) {
      throw ioFailure("caching the " + artifact.file() + " of " + key, e);
    }
  }

  private Path download(ModelKey key, Artifact artifact) throws IOException {
    String objectKey = layout.artifactKey(key, artifact);
    GetObjectRequest req = GetObjectRequest.builder().bucket(bucket).key(objectKey).build();
    long t0 = System.nanoTime();
    try (ResponseInputStream<GetObjectResponse> in = s3.getObject(req)) {
      Path file;
      try {
        file = cache.download(in, key, artifact, "s3://" + bucket + "/" + objectKey);
      } catch (ZooException e) {
        in.abort(); // a corrupt or oversized object: do not drain the rest of it
        throw e;
      }
      log.debug("downloaded s3://{}/{} ({} bytes, {} ms)", bucket, objectKey, artifact.sizeBytes(),
          (System.nanoTime() - t0) / 1_000_000);
      return file;
    } catch (NoSuchKeyException e) {
      boolean stillPublished = readManifest(key)
          .map(s -> references(s.manifest(), artifact))
          .orElse(false);
      if (!stillPublished) {
        throw notFound(key); // deleted (or replaced) since the caller read its manifest
      }
      throw new ZooException(Reason.INTERNAL, "s3://" + bucket + "/" + objectKey + ", named by the manifest of "
          + key + ", is missing; delete and re-register the version", e);
    } catch (SdkException e) {
      throw failure("downloading the " + artifact.file() + " of " + key, e);
    }
  }

  private static boolean references(ModelManifest m, Artifact a) {
    return m.classifier().equals(a) || m.generator().map(g -> g.artifact().equals(a)).orElse(false);
  }

  // ------------------------------------------------------------------------------ derived models

  @Override
  public Path gradientModel(ModelManifest manifest) {
    Objects.requireNonNull(manifest, "manifest");
    ModelKey key = manifest.key();
    Path file = cache.dir(key, manifest.classifier().sha256()).resolve(FileSystemZooStore.GRADIENT_FILE);
    if (Files.isRegularFile(file)) {
      return file;
    }
    synchronized (fileLocks.computeIfAbsent(file, p -> new Object())) {
      if (Files.isRegularFile(file)) {
        return file;
      }
      Path classifierFile = localFile(manifest, manifest.classifier());
      try {
        ModelProto classifier;
        try (InputStream in = Files.newInputStream(classifierFile)) {
          classifier = ModelProto.parseFrom(in);
        }
        byte[] augmented = Autodiff.augment(classifier, AutodiffOptions.logit()).toByteArray();
        boolean same = get(key).filter(m -> m.classifier().equals(manifest.classifier())).isPresent();
        if (!same) {
          throw notFound(key);
        }
        cache.writeDerived(file, augmented);
        log.info("built the gradient model of {} ({} bytes)", key, augmented.length);
      } catch (UnsupportedOpException | IllegalArgumentException e) {
        throw new ZooException(Reason.FAILED_PRECONDITION,
            "the classifier of " + key + " cannot be differentiated: " + e.getMessage(), e);
      } catch (IOException e) {
        throw ioFailure("building the gradient model of " + key, e);
      }
    }
    return file;
  }

  // ------------------------------------------------------------------------------------ writing

  @Override
  public ModelManifest registerClassifier(ClassifierRegistration registration, InputStream onnx) {
    Objects.requireNonNull(registration, "registration");
    Objects.requireNonNull(onnx, "onnx");
    requireComplete(registration);
    ModelKey key = new ModelKey(registration.name(), registration.version());
    if (manifestExists(key)) {
      throw alreadyExists(key);
    }
    // Fail before reading the upload if the manifest could not be written (too much metadata).
    codec.requireRoomForClassifier(registration, FileSystemZooStore.CLASSIFIER_FILE, now());
    LocalCache.Copied staged = null;
    try {
      staged = cache.stage(onnx, limits.maxUploadBytes(), "classifier upload");
      verifySha("classifier", registration.expectedSha256(), staged.sha256());
      Path file = staged.file();
      runValidator(() -> validator.validateClassifier(file, registration));
      Artifact artifact = new Artifact(FileSystemZooStore.CLASSIFIER_FILE, staged.sha256(), staged.sizeBytes());
      ModelManifest manifest = new ModelManifest(key.name(), key.version(), registration.labels(),
          registration.input(), artifact, Optional.empty(), now(), registration.description());
      byte[] json = codec.write(manifest);
      putArtifact(key, artifact, file); // 1. the bytes
      boolean published = false;
      try {
        published = !manifestExists(key) && publish(key, json, null); // 2. the manifest: publish point
      } finally {
        if (!published) {
          removeUnreferenced(key, artifact);
        }
      }
      if (!published) {
        throw alreadyExists(key);
      }
      installQuietly(file, key, artifact);
      log.info("registered classifier {} ({} bytes, sha256 {}) in {}", key, artifact.sizeBytes(), artifact.sha256(),
          this);
      return manifest;
    } catch (IOException e) {
      throw ioFailure("registering classifier " + key, e);
    } catch (SdkException e) {
      throw failure("registering classifier " + key, e);
    } finally {
      if (staged != null) {
        LocalCache.deleteQuietly(staged.file());
      }
    }
  }

  @Override
  public ModelManifest registerGenerator(GeneratorRegistration registration, InputStream onnx) {
    Objects.requireNonNull(registration, "registration");
    Objects.requireNonNull(onnx, "onnx");
    ModelKey key = registration.classifier();
    float threshold = threshold(registration);
    requireShaFormat(registration.expectedSha256());
    Seen current = readManifest(key).orElseThrow(() -> notFound(key));
    if (current.manifest().generator().isPresent()) {
      throw generatorExists(key);
    }
    codec.requireRoomForGenerator(current.manifest(), FileSystemZooStore.GENERATOR_FILE, threshold,
        registration.description(), now());
    LocalCache.Copied staged = null;
    try {
      staged = cache.stage(onnx, limits.maxUploadBytes(), "generator upload");
      verifySha("generator", registration.expectedSha256(), staged.sha256());
      Path file = staged.file();
      // The classifier's own file, so that a generator may read its tensors (fetched into the cache).
      Path classifierFile = localFile(current.manifest(), current.manifest().classifier());
      GeneratorShape shape = runValidatorFor(() -> validator.validateGenerator(file, current.manifest(), classifierFile));
      if (shape == null) {
        throw new ZooException(Reason.INTERNAL, "the validator returned no generator shape");
      }
      Artifact artifact = new Artifact(FileSystemZooStore.GENERATOR_FILE, staged.sha256(), staged.sizeBytes());
      putArtifact(key, artifact, file); // 1. the bytes
      ModelManifest updated;
      boolean published = false;
      try {
        // The manifest must still be the one validated against: not deleted, re-registered or given a generator.
        Seen latest = readManifest(key).orElseThrow(() -> notFound(key));
        if (latest.manifest().generator().isPresent()) {
          throw generatorExists(key);
        }
        if (!latest.etag().equals(current.etag())) {
          throw changedConcurrently(key);
        }
        updated = latest.manifest().withGenerator(Optional.of(new GeneratorSpec(artifact, threshold,
            shape.outputHeight(), shape.outputWidth(), shape.classConditional(), now(), registration.description(),
            shape.features(), shape.readsImage())));
        published = publish(key, codec.write(updated), latest.etag()); // 2. the manifest: publish point
        if (!published) {
          Seen after = readManifest(key).orElseThrow(() -> notFound(key));
          throw after.manifest().generator().isPresent() ? generatorExists(key) : changedConcurrently(key);
        }
      } finally {
        if (!published) {
          removeUnreferenced(key, artifact);
        }
      }
      installQuietly(file, key, artifact);
      log.info("registered generator of {} ({}x{}{}, {} bytes, sha256 {})", key, shape.outputHeight(),
          shape.outputWidth(), shape.classConditional() ? ", class-conditional" : "", artifact.sizeBytes(),
          artifact.sha256());
      return updated;
    } catch (IOException e) {
      throw ioFailure("registering the generator of " + key, e);
    } catch (SdkException e) {
      throw failure("registering the generator of " + key, e);
    } finally {
      if (staged != null) {
        LocalCache.deleteQuietly(staged.file());
      }
    }
  }

  @Override
  public boolean delete(ModelKey key, boolean generatorOnly) {
    Objects.requireNonNull(key, "key");
    try {
      if (generatorOnly) {
        Optional<Seen> current = readManifest(key);
        if (current.isEmpty() || current.get().manifest().generator().isEmpty()) {
          return false;
        }
        Artifact generator = current.get().manifest().generator().get().artifact();
        byte[] json = codec.write(current.get().manifest().withGenerator(Optional.empty()));
        if (!publish(key, json, current.get().etag())) {
          throw changedConcurrently(key);
        }
        deleteObjectQuietly(layout.artifactKey(key, generator)); // unreferenced now, so invisible
        cache.evict(key, generator.sha256());
        log.info("deleted the generator of {}", key);
        return true;
      }
      if (!manifestExists(key)) {
        return false;
      }
      Optional<Seen> current = readManifest(key); // empty if invalid: then only the manifest goes
      s3.deleteObject(b -> b.bucket(bucket).key(layout.manifestKey(key))); // unpublish first
      seen.remove(layout.manifestKey(key));
      current.ifPresent(s -> {
        deleteObjectQuietly(layout.artifactKey(key, s.manifest().classifier()));
        s.manifest().generator().ifPresent(g -> deleteObjectQuietly(layout.artifactKey(key, g.artifact())));
      });
      cache.evict(key);
      log.info("deleted {}", key);
      return true;
    } catch (SdkException e) {
      throw failure("deleting " + key + (generatorOnly ? "'s generator" : ""), e);
    }
  }

  /** Writes an artefact object (before any manifest names it). */
  private void putArtifact(ModelKey key, Artifact artifact, Path file) {
    s3.putObject(PutObjectRequest.builder()
            .bucket(bucket)
            .key(layout.artifactKey(key, artifact))
            .contentLength(artifact.sizeBytes())
            .contentType("application/octet-stream")
            .build(),
        RequestBody.fromFile(file));
  }

  /**
   * Writes a version's manifest object: a new one when {@code expectedEtag} is null ({@code
   * If-None-Match: *}), else a replacement of the object with that ETag ({@code If-Match}). Then
   * reads it back: only the writer whose id it carries has won, which also catches a racing writer
   * on a store that ignores the conditions.
   *
   * @return false if another writer won
   */
  private boolean publish(ModelKey key, byte[] json, String expectedEtag) {
    String objectKey = layout.manifestKey(key);
    String writer = UUID.randomUUID().toString();
    PutObjectRequest.Builder req = PutObjectRequest.builder()
        .bucket(bucket)
        .key(objectKey)
        .contentType("application/json")
        .metadata(Map.of(WRITER_METADATA, writer));
    if (expectedEtag == null) {
      req.ifNoneMatch("*");
    } else {
      req.ifMatch(expectedEtag);
    }
    try {
      s3.putObject(req.build(), RequestBody.fromBytes(json));
    } catch (S3Exception e) {
      // 412: the condition failed; 409: a concurrent conditional write to the same key is in progress.
      if (e.statusCode() == 412 || e.statusCode() == 409) {
        log.debug("publishing {} lost a race: {}", key, e.getMessage());
        return false;
      }
      throw e;
    }
    seen.remove(objectKey);
    try {
      HeadObjectResponse head = s3.headObject(b -> b.bucket(bucket).key(objectKey));
      return writer.equals(head.metadata().get(WRITER_METADATA));
    } catch (NoSuchKeyException e) {
      return false; // deleted right after: nothing of ours is published
    }
  }

  /** Deletes an artefact this writer uploaded unless the published manifest names the same bytes. */
  private void removeUnreferenced(ModelKey key, Artifact artifact) {
    try {
      boolean referenced = readManifest(key).map(s -> references(s.manifest(), artifact)).orElse(false);
      if (!referenced) {
        deleteObjectQuietly(layout.artifactKey(key, artifact));
      }
    } catch (RuntimeException e) {
      log.warn("could not remove the unpublished {} of {}: {}", artifact.file(), key, e.toString());
    }
  }

  private void deleteObjectQuietly(String objectKey) {
    try {
      s3.deleteObject(b -> b.bucket(bucket).key(objectKey));
    } catch (SdkException e) {
      // Unreferenced, so invisible to readers; only space is lost.
      log.warn("could not delete s3://{}/{}: {}", bucket, objectKey, e.toString());
    }
  }

  /** Puts the validated upload into the local cache, so this process need not download it. */
  private void installQuietly(Path staged, ModelKey key, Artifact artifact) {
    try {
      cache.install(staged, key, artifact);
    } catch (IOException e) {
      log.debug("could not cache the {} of {}: {}", artifact.file(), key, e.toString());
    }
  }

  // ------------------------------------------------------------------------------------ helpers

  private static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MILLIS);
  }

  private ZooException alreadyExists(ModelKey key) {
    if (readManifest(key).isEmpty() && manifestExists(key)) {
      return new ZooException(Reason.ALREADY_EXISTS, "s3://" + bucket + "/" + layout.manifestKey(key)
          + " exists but is not a valid manifest; delete version " + key + " first");
    }
    return versionExists(key);
  }

  private static ZooException changedConcurrently(ModelKey key) {
    return new ZooException(Reason.FAILED_PRECONDITION, "model " + key + " was changed by another writer meanwhile;"
        + " retry");
  }

  /** Maps an object-store failure to INTERNAL with what was being done and what the store said. */
  private ZooException failure(String doing, SdkException e) {
    String detail = e.getMessage();
    if (e instanceof S3Exception s && (s.statusCode() == 403 || s.statusCode() == 401)) {
      detail = "access denied (check the credentials: AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY): " + detail;
    }
    return new ZooException(Reason.INTERNAL, doing + " in " + this + " failed: " + detail, e);
  }

  private static ZooException ioFailure(String doing, IOException e) {
    String m = String.valueOf(e.getMessage()).toLowerCase(java.util.Locale.ROOT);
    if (m.contains("no space left") || m.contains("disk quota exceeded")) {
      return new ZooException(Reason.RESOURCE_EXHAUSTED, doing + " failed: the local disk is full (" + e.getMessage()
          + ")", e);
    }
    return new ZooException(Reason.INTERNAL, doing + " failed: " + e, e);
  }

  private void warnOnce(String objectKey, String problem) {
    if (warned.size() < MAX_WARNINGS_REMEMBERED && warned.add(objectKey + " " + problem)) {
      log.warn("model zoo: s3://{}/{} {}", bucket, objectKey, problem);
    } else {
      log.debug("model zoo: s3://{}/{} {}", bucket, objectKey, problem);
    }
  }

  /** Closes the client if this store created it. */
  @Override
  public void close() {
    if (ownsClient) {
      s3.close();
    }
  }

  @Override
  public String toString() {
    return "S3ZooStore[s3://" + bucket + "/" + layout.prefix() + "]";
  }
}
