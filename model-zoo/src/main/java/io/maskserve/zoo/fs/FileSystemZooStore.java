package io.maskserve.zoo.fs;

import static io.maskserve.zoo.RegistrationChecks.requireComplete;
import static io.maskserve.zoo.RegistrationChecks.generatorExists;
import static io.maskserve.zoo.RegistrationChecks.notFound;
import static io.maskserve.zoo.RegistrationChecks.requireShaFormat;
import static io.maskserve.zoo.RegistrationChecks.runValidator;
import static io.maskserve.zoo.RegistrationChecks.runValidatorFor;
import static io.maskserve.zoo.RegistrationChecks.threshold;
import static io.maskserve.zoo.RegistrationChecks.verifySha;
import static io.maskserve.zoo.RegistrationChecks.versionExists;

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
import ai.onnx.proto.OnnxMl.ModelProto;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Clock;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link ZooStore} in a directory on local disk. Layout:
 *
 * <pre>
 * ROOT/&lt;name&gt;/&lt;version&gt;/manifest.json     commit point, written last
 * ROOT/&lt;name&gt;/&lt;version&gt;/classifier.onnx
 * ROOT/&lt;name&gt;/&lt;version&gt;/generator.onnx    present once a generator is registered
 * ROOT/&lt;name&gt;/&lt;version&gt;/classifier.input-grad.v2.onnx   cached gradient model (derived)
 * ROOT/.staging/   temp dirs of registrations in progress, each with an owner lock file
 * ROOT/.trash/     versions being deleted (removed at open)
 * ROOT/.lock       the commit lock shared by every process using the root
 * </pre>
 *
 * <p><b>Publishing.</b> A classifier is streamed into {@code ROOT/.staging/<uuid>/} (hashed and
 * size-limited on the way), checked against the expected sha256, validated, given its {@code
 * manifest.json}, fsynced, and the whole directory is renamed atomically to {@code
 * ROOT/<name>/<version>}. A generator is streamed into a temp file (name starting with '.') in the
 * version directory, validated, fsynced and renamed to {@code generator.onnx}; then {@code
 * manifest.json} is replaced atomically (temp file + fsync + rename) by one that references it. A
 * generator file the manifest does not reference is invisible. Deleting a version renames its
 * directory atomically into {@code ROOT/.trash/} before deleting it; deleting only a generator
 * rewrites the manifest without it first, then deletes the file. So a crash at any moment leaves a
 * version, and its generator, either fully present or absent; {@link #open} removes the leftovers
 * (staging and trash contents, temp files, unreferenced {@code generator.onnx}, empty model
 * directories).
 *
 * <p><b>Concurrency.</b> Writers serialize their short commit steps on the commit lock, an OS file
 * lock on {@code ROOT/.lock} (uploads and validation run outside it, so registrations proceed in
 * parallel); readers take no lock and only read {@code manifest.json} files, which are always
 * complete. Several processes may share one root (a server and {@code maskserve zoo ... --zoo
 * DIR}): recovery runs under the commit lock and removes a registration's staged files only when
 * no live process holds its owner lock (see {@link StoreLocks}).
 *
 * <p>Readers skip, and log once, directories whose manifest is missing or corrupt. All methods throw
 * {@link ZooException}: INVALID_ARGUMENT (bad names, validation, checksum, unreadable upload
 * stream, metadata that would make the manifest larger than {@link
 * ManifestCodec#MAX_MANIFEST_BYTES}, checked before the upload is read), NOT_FOUND, ALREADY_EXISTS,
 * RESOURCE_EXHAUSTED (upload limit, disk full), INTERNAL (other I/O failures).
 */
public final class FileSystemZooStore implements ZooStore {

  /** The manifest of a version, its commit point. */
  public static final String MANIFEST_FILE = "manifest.json";
  /** The classifier file of a version. */
  public static final String CLASSIFIER_FILE = "classifier.onnx";
  /** The generator file of a version. */
  public static final String GENERATOR_FILE = "generator.onnx";
  /** Directory of registrations in progress. */
  public static final String STAGING_DIR = ".staging";
  /** Directory of versions being deleted. */
  public static final String TRASH_DIR = ".trash";

  /**
   * The cached gradient model of a version's classifier (derived data, rebuilt when missing; the
   * suffix changes when the transform's output changes).
   */
  public static final String GRADIENT_FILE = "classifier.input-grad.v2.onnx";

  /** Earlier suffixes of {@link #GRADIENT_FILE}, deleted when the current one is written (v1: Pads not folded). */
  static final List<String> SUPERSEDED_GRADIENT_FILES = List.of("classifier.input-grad.v1.onnx");

  private static final String GENERATOR_TMP_PREFIX = ".generator-";
  private static final String GRADIENT_TMP_PREFIX = ".gradient-";
  /** Temp files named {@code <prefix><registration id>.tmp}, alive while their owner lock is held. */
  private static final List<String> OWNED_TMP_PREFIXES = List.of(GENERATOR_TMP_PREFIX, GRADIENT_TMP_PREFIX);

  private static final Logger log = LoggerFactory.getLogger(FileSystemZooStore.class);
  private static final Runnable NO_HOOK = () -> {};
  private static final int MAX_WARNINGS_REMEMBERED = 10_000;

  private final Path root;
  private final Path staging;
  private final Path trash;
  private final ModelValidator validator;
  private final StoreLimits limits;
  private final ManifestCodec codec = new ManifestCodec();
  private final StoreLocks locks;
  private final Map<ModelKey, Object> gradientBuilds = new ConcurrentHashMap<>();
  private final Set<String> warned = ConcurrentHashMap.newKeySet();
  private final Clock clock = Clock.systemUTC();

  // Test hooks (package-private): run at the named step of a write, to simulate crashes there.
  volatile Runnable afterGeneratorRename = NO_HOOK;
  volatile Runnable afterTrashRename = NO_HOOK;

  private FileSystemZooStore(Path root, ModelValidator validator, StoreLimits limits) {
    this.root = root;
    this.staging = root.resolve(STAGING_DIR);
    this.trash = root.resolve(TRASH_DIR);
    this.locks = new StoreLocks(root, staging);
    this.validator = validator;
    this.limits = limits;
  }

  /**
   * Opens (creating if missing) the store at {@code root} with {@link StoreLimits#defaults()}.
   *
   * @see #open(Path, ModelValidator, StoreLimits)
   */
  public static FileSystemZooStore open(Path root, ModelValidator validator) {
    return open(root, validator, StoreLimits.defaults());
  }

  /**
   * Opens (creating if missing) the store at {@code root} and recovers from any crash: empties
   * {@code .staging} and {@code .trash}, deletes temp files and unreferenced {@code generator.onnx}
   * files in version directories, and removes empty model directories.
   *
   * @param root the store directory
   * @param validator checks uploads before they are published
   * @param limits upload limits
   * @throws ZooException INTERNAL if the directory cannot be created or read
   */
  public static FileSystemZooStore open(Path root, ModelValidator validator, StoreLimits limits) {
    Objects.requireNonNull(root, "root");
    Objects.requireNonNull(validator, "validator");
    Objects.requireNonNull(limits, "limits");
    FileSystemZooStore store = new FileSystemZooStore(root.toAbsolutePath().normalize(), validator, limits);
    try {
      store.recover();
    } catch (IOException e) {
      throw FsSupport.ioFailure("opening the model zoo at " + root, e);
    }
    return store;
  }

  /** The store's root directory (absolute). */
  public Path root() {
    return root;
  }

  /** The store's limits. */
  public StoreLimits limits() {
    return limits;
  }

  // ------------------------------------------------------------------------------------ reading

  @Override
  public List<ModelManifest> list() {
    List<ModelManifest> out = new ArrayList<>();
    for (Path nameDir : subdirectories(root)) {
      String name = nameDir.getFileName().toString();
      if (name.startsWith(".")) {
        continue;
      }
      if (!ModelNames.isValid(name)) {
        warnOnce(nameDir, "is not a valid model name; ignored");
        continue;
      }
      out.addAll(versions(name));
    }
    out.sort(Comparator.comparing(ModelManifest::name).thenComparing(ModelManifest::version, ModelNames.VERSION_ORDER));
    return out;
  }

  /**
   * Every published version of {@code name}, oldest first under {@link ModelNames#VERSION_ORDER}.
   *
   * @throws ZooException INVALID_ARGUMENT if {@code name} is not a valid model name
   */
  public List<ModelManifest> list(String name) {
    ModelNames.requireValidName(name);
    List<ModelManifest> out = versions(name);
    out.sort(Comparator.comparing(ModelManifest::version, ModelNames.VERSION_ORDER));
    return out;
  }

  @Override
  public Optional<ModelManifest> get(ModelKey key) {
    Objects.requireNonNull(key, "key");
    return readManifest(key.name(), key.version());
  }

  @Override
  public Optional<ModelManifest> latest(String name, boolean withGenerator) {
    ModelNames.requireValidName(name);
    return versions(name).stream()
        .filter(m -> !withGenerator || m.generator().isPresent())
        .max(Comparator.comparing(ModelManifest::version, ModelNames.VERSION_ORDER));
  }

  @Override
  public Path localFile(ModelManifest manifest, Artifact artifact) {
    Objects.requireNonNull(manifest, "manifest");
    Objects.requireNonNull(artifact, "artifact");
    if (!ModelNames.isValid(artifact.file())) {
      throw new ZooException(Reason.INVALID_ARGUMENT, "artifact file name '" + artifact.file() + "' is invalid");
    }
    return versionDir(manifest.name(), manifest.version()).resolve(artifact.file());
  }

  private List<ModelManifest> versions(String name) {
    List<ModelManifest> out = new ArrayList<>();
    Path nameDir = root.resolve(name);
    for (Path versionDir : subdirectories(nameDir)) {
      String version = versionDir.getFileName().toString();
      if (!ModelNames.isValid(version)) {
        warnOnce(versionDir, "is not a valid version name; ignored");
        continue;
      }
      readManifest(name, version).ifPresent(out::add);
    }
    return out;
  }

  private Optional<ModelManifest> readManifest(String name, String version) {
    Path dir = versionDir(name, version);
    try {
      ModelManifest m = codec.read(dir.resolve(MANIFEST_FILE));
      if (!m.name().equals(name) || !m.version().equals(version)) {
        warnOnce(dir, "holds a manifest of " + m.key() + "; ignored");
        return Optional.empty();
      }
      return Optional.of(m);
    } catch (NoSuchFileException e) {
      if (Files.isDirectory(dir)) {
        warnOnce(dir, "has no " + MANIFEST_FILE + "; ignored");
      }
      return Optional.empty();
    } catch (InvalidManifestException e) {
      warnOnce(dir, "has a corrupt manifest; ignored: " + e.getMessage());
      return Optional.empty();
    } catch (IOException e) {
      warnOnce(dir, "manifest cannot be read; ignored: " + e);
      return Optional.empty();
    }
  }

  // ------------------------------------------------------------------------------------ writing

  @Override
  public ModelManifest registerClassifier(ClassifierRegistration registration, InputStream onnx) {
    Objects.requireNonNull(registration, "registration");
    Objects.requireNonNull(onnx, "onnx");
    requireComplete(registration);
    ModelKey key = new ModelKey(registration.name(), registration.version());
    Path versionDir = versionDir(key.name(), key.version());
    if (Files.exists(versionDir, LinkOption.NOFOLLOW_LINKS)) {
      throw alreadyExists(key);
    }
    // Fail before reading the upload if the manifest could not be written (too much metadata).
    codec.requireRoomForClassifier(registration, CLASSIFIER_FILE, now());
    Path stage = null;
    boolean published = false;
    String id = UUID.randomUUID().toString();
    try (StoreLocks.Held owner = locks.own(id)) {
      try {
      stage = staging.resolve(id);
      Files.createDirectory(stage);
      Path file = stage.resolve(CLASSIFIER_FILE);
      FsSupport.Stored stored = FsSupport.copyHashed(onnx, file, limits.maxUploadBytes(), "classifier");
      verifySha("classifier", registration.expectedSha256(), stored.sha256());
      runValidator(() -> validator.validateClassifier(file, registration));
      ModelManifest manifest =
          new ModelManifest(
              key.name(),
              key.version(),
              registration.labels(),
              registration.input(),
              new Artifact(CLASSIFIER_FILE, stored.sha256(), stored.sizeBytes()),
              Optional.empty(),
              now(),
              registration.description());
      FsSupport.writeNew(stage.resolve(MANIFEST_FILE), codec.write(manifest));
      FsSupport.fsyncDir(stage);
      try (StoreLocks.Held commit = locks.commit()) {
        if (Files.exists(versionDir, LinkOption.NOFOLLOW_LINKS)) {
          throw alreadyExists(key);
        }
        Path nameDir = versionDir.getParent();
        if (!Files.isDirectory(nameDir)) {
          Files.createDirectories(nameDir);
          FsSupport.fsyncDir(root);
        }
        Files.move(stage, versionDir, StandardCopyOption.ATOMIC_MOVE);
        published = true;
        FsSupport.fsyncDir(nameDir);
      }
      log.info("registered classifier {} ({} bytes, sha256 {})", key, stored.sizeBytes(), stored.sha256());
      return manifest;
      } finally {
        if (!published && stage != null) {
          FsSupport.deleteQuietly(stage); // before the owner lock goes, so recovery never races it
        }
      }
    } catch (IOException e) {
      throw FsSupport.ioFailure("registering classifier " + key, e);
    }
  }

  @Override
  public ModelManifest registerGenerator(GeneratorRegistration registration, InputStream onnx) {
    Objects.requireNonNull(registration, "registration");
    Objects.requireNonNull(onnx, "onnx");
    ModelKey key = registration.classifier();
    float threshold = threshold(registration);
    requireShaFormat(registration.expectedSha256());
    ModelManifest current = readManifest(key.name(), key.version()).orElseThrow(() -> notFound(key));
    if (current.generator().isPresent()) {
      throw generatorExists(key);
    }
    // Fail before reading the upload if the manifest could not be written (too much metadata).
    codec.requireRoomForGenerator(current, GENERATOR_FILE, threshold, registration.description(), now());
    Path dir = versionDir(key.name(), key.version());
    String id = UUID.randomUUID().toString();
    Path tmp = dir.resolve(GENERATOR_TMP_PREFIX + id + ".tmp");
    Path target = dir.resolve(GENERATOR_FILE);
    try (StoreLocks.Held owner = locks.own(id)) {
      try {
      FsSupport.Stored stored;
      try {
        stored = FsSupport.copyHashed(onnx, tmp, limits.maxUploadBytes(), "generator");
      } catch (NoSuchFileException e) {
        throw notFound(key); // the version was deleted meanwhile
      }
      verifySha("generator", registration.expectedSha256(), stored.sha256());
      GeneratorShape shape;
      try {
        Path classifierFile = dir.resolve(current.classifier().file());
        shape = runValidatorFor(() -> validator.validateGenerator(tmp, current, classifierFile));
      } catch (ZooException e) {
        if (!Files.exists(tmp)) {
          throw notFound(key);
        }
        throw e;
      }
      if (shape == null) {
        throw new ZooException(Reason.INTERNAL, "the validator returned no generator shape");
      }
      try (StoreLocks.Held commit = locks.commit()) {
        ModelManifest latest = readManifest(key.name(), key.version()).orElseThrow(() -> notFound(key));
        if (latest.generator().isPresent()) {
          throw generatorExists(key);
        }
        ModelManifest updated =
            latest.withGenerator(
                Optional.of(
                    new GeneratorSpec(
                        new Artifact(GENERATOR_FILE, stored.sha256(), stored.sizeBytes()),
                        threshold,
                        shape.outputHeight(),
                        shape.outputWidth(),
                        shape.classConditional(),
                        now(),
                        registration.description(),
                        shape.features(),
                        shape.readsImage())));
        byte[] json = codec.write(updated);
        Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        boolean committed = false;
        try {
          FsSupport.fsyncDir(dir);
          afterGeneratorRename.run();
          FsSupport.replaceAtomically(dir.resolve(MANIFEST_FILE), json);
          committed = true;
        } finally {
          if (!committed) {
            FsSupport.deleteQuietly(target); // unreferenced by the manifest, so never visible
          }
        }
        log.info("registered generator of {} ({}x{}{}, {} bytes, sha256 {})", key, shape.outputHeight(),
            shape.outputWidth(), shape.classConditional() ? ", class-conditional" : "", stored.sizeBytes(),
            stored.sha256());
        return updated;
      }
      } finally {
        FsSupport.deleteQuietly(tmp);
      }
    } catch (IOException e) {
      throw FsSupport.ioFailure("registering the generator of " + key, e);
    }
  }

  @Override
  public boolean delete(ModelKey key, boolean generatorOnly) {
    Objects.requireNonNull(key, "key");
    Path dir = versionDir(key.name(), key.version());
    Path trashed;
    try (StoreLocks.Held commit = locks.commit()) {
      if (generatorOnly) {
        Optional<ModelManifest> m = readManifest(key.name(), key.version());
        if (m.isEmpty() || m.get().generator().isEmpty()) {
          return false;
        }
        FsSupport.replaceAtomically(dir.resolve(MANIFEST_FILE), codec.write(m.get().withGenerator(Optional.empty())));
        try {
          Files.deleteIfExists(dir.resolve(GENERATOR_FILE));
          FsSupport.fsyncDir(dir);
        } catch (IOException e) {
          // Already invisible (the manifest no longer references it); open() removes it.
          log.warn("could not delete the unreferenced generator of {}: {}", key, e.toString());
        }
        log.info("deleted the generator of {}", key);
        return true;
      }
      if (!Files.isDirectory(dir, LinkOption.NOFOLLOW_LINKS)) {
        return false;
      }
      Files.createDirectories(trash);
      trashed = trash.resolve(UUID.randomUUID().toString());
      Files.move(dir, trashed, StandardCopyOption.ATOMIC_MOVE);
      Path nameDir = dir.getParent();
      FsSupport.fsyncDir(nameDir);
      afterTrashRename.run();
      try {
        Files.delete(nameDir);
        FsSupport.fsyncDir(root);
      } catch (DirectoryNotEmptyException | NoSuchFileException e) {
        // other versions remain
      }
    } catch (IOException e) {
      throw FsSupport.ioFailure("deleting " + key + (generatorOnly ? "'s generator" : ""), e);
    }
    FsSupport.deleteQuietly(trashed);
    log.info("deleted {}", key);
    return true;
  }

  // ----------------------------------------------------------------------------------- recovery

  private void recover() throws IOException {
    Files.createDirectories(root);
    Files.createDirectories(staging);
    Files.createDirectories(trash);
    // Under the commit lock: another process sharing the root may be publishing right now.
    try (StoreLocks.Held commit = locks.commit()) {
      recoverLocked();
    }
  }

  private void recoverLocked() throws IOException {
    for (Path leftover : children(staging)) {
      String entry = leftover.getFileName().toString();
      String id = entry.endsWith(StoreLocks.OWNER_SUFFIX)
          ? entry.substring(0, entry.length() - StoreLocks.OWNER_SUFFIX.length())
          : entry;
      if (!locks.isOwned(id)) {
        log.info("removing unfinished registration {}", leftover);
        FsSupport.deleteQuietly(leftover);
      }
    }
    for (Path leftover : children(trash)) {
      log.info("finishing deletion of {}", leftover);
      FsSupport.deleteQuietly(leftover); // another process may be deleting it too
    }
    for (Path nameDir : subdirectories(root)) {
      String name = nameDir.getFileName().toString();
      if (name.startsWith(".") || !ModelNames.isValid(name)) {
        continue;
      }
      for (Path versionDir : subdirectories(nameDir)) {
        String version = versionDir.getFileName().toString();
        if (ModelNames.isValid(version)) {
          recoverVersion(name, version, versionDir);
        }
      }
      if (children(nameDir).isEmpty()) {
        log.info("removing empty model directory {}", nameDir);
        try {
          Files.delete(nameDir);
        } catch (DirectoryNotEmptyException e) {
          // raced with nothing; keep it
        }
      }
    }
    FsSupport.fsyncDir(root);
  }

  private void recoverVersion(String name, String version, Path dir) throws IOException {
    for (Path f : children(dir)) {
      String file = f.getFileName().toString();
      if (isOwnedTemp(file)) {
        continue; // a generator upload or gradient build in progress in another process
      }
      if (file.startsWith(".") && Files.isRegularFile(f, LinkOption.NOFOLLOW_LINKS)) {
        log.info("removing temp file {}", f);
        Files.deleteIfExists(f);
      }
    }
    Path generator = dir.resolve(GENERATOR_FILE);
    if (Files.exists(generator, LinkOption.NOFOLLOW_LINKS)) {
      Optional<ModelManifest> m = readManifest(name, version);
      if (m.isPresent() && m.get().generator().isEmpty()) {
        log.info("removing unregistered generator {}", generator);
        Files.delete(generator);
      }
    }
  }

  private boolean isOwnedTemp(String file) {
    for (String prefix : OWNED_TMP_PREFIXES) {
      if (file.startsWith(prefix) && file.endsWith(".tmp")) {
        return locks.isOwned(file.substring(prefix.length(), file.length() - ".tmp".length()));
      }
    }
    return false;
  }

  // ------------------------------------------------------------------------------ derived models

  @Override
  public Path gradientModel(ModelManifest manifest) {
    Objects.requireNonNull(manifest, "manifest");
    Path dir = versionDir(manifest.name(), manifest.version());
    Path file = dir.resolve(GRADIENT_FILE);
    if (Files.isRegularFile(file)) {
      return file;
    }
    synchronized (gradientBuilds.computeIfAbsent(manifest.key(), k -> new Object())) {
      if (Files.isRegularFile(file)) {
        return file;
      }
      String id = UUID.randomUUID().toString();
      Path tmp = dir.resolve(GRADIENT_TMP_PREFIX + id + ".tmp");
      try (StoreLocks.Held owner = locks.own(id)) {
        try {
          ModelProto classifier;
          try (InputStream in = Files.newInputStream(dir.resolve(manifest.classifier().file()))) {
            classifier = ModelProto.parseFrom(in);
          } catch (NoSuchFileException e) {
            throw notFound(manifest.key());
          }
          byte[] augmented = Autodiff.augment(classifier, AutodiffOptions.logit()).toByteArray();
          FsSupport.writeNew(tmp, augmented);
          try (StoreLocks.Held commit = locks.commit()) {
            boolean same = readManifest(manifest.name(), manifest.version())
                .filter(m -> m.classifier().sha256().equals(manifest.classifier().sha256()))
                .isPresent();
            if (!same) {
              throw notFound(manifest.key());
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            for (String old : SUPERSEDED_GRADIENT_FILES) {
              FsSupport.deleteQuietly(dir.resolve(old));
            }
            FsSupport.fsyncDir(dir);
          }
          log.info("built the gradient model of {} ({} bytes)", manifest.key(), augmented.length);
        } finally {
          FsSupport.deleteQuietly(tmp);
        }
      } catch (UnsupportedOpException | IllegalArgumentException e) {
        throw new ZooException(Reason.FAILED_PRECONDITION,
            "the classifier of " + manifest.key() + " cannot be differentiated: " + e.getMessage(), e);
      } catch (IOException e) {
        throw FsSupport.ioFailure("building the gradient model of " + manifest.key(), e);
      }
    }
    return file;
  }

  // ------------------------------------------------------------------------------------ helpers

  private Path versionDir(String name, String version) {
    return root.resolve(name).resolve(version);
  }

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  private ZooException alreadyExists(ModelKey key) {
    Path dir = versionDir(key.name(), key.version());
    if (readManifest(key.name(), key.version()).isEmpty() && Files.isDirectory(dir)) {
      return new ZooException(Reason.ALREADY_EXISTS, "directory " + dir + " exists without a valid manifest; "
          + "delete version " + key + " or remove the directory by hand");
    }
    return versionExists(key);
  }

  private void warnOnce(Path dir, String problem) {
    if (warned.size() < MAX_WARNINGS_REMEMBERED && warned.add(dir + " " + problem)) {
      log.warn("model zoo: {} {}", dir, problem);
    } else {
      log.debug("model zoo: {} {}", dir, problem);
    }
  }

  /** Subdirectories of {@code dir} (following links); empty if {@code dir} vanished or is unreadable. */
  private List<Path> subdirectories(Path dir) {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      for (Path p : entries) {
        if (Files.isDirectory(p)) {
          out.add(p);
        }
      }
    } catch (NoSuchFileException e) {
      return out;
    } catch (IOException e) {
      warnOnce(dir, "cannot be listed: " + e);
    }
    return out;
  }

  private static List<Path> children(Path dir) throws IOException {
    List<Path> out = new ArrayList<>();
    try (DirectoryStream<Path> entries = Files.newDirectoryStream(dir)) {
      entries.forEach(out::add);
    } catch (NoSuchFileException e) {
      // nothing there
    }
    return out;
  }

  @Override
  public String toString() {
    return "FileSystemZooStore[" + root + "]";
  }
}
