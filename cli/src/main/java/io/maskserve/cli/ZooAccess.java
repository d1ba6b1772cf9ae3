package io.maskserve.cli;

import ai.onnxruntime.OrtEnvironment;
import io.maskserve.client.MaskserveClient;
import io.maskserve.server.grpc.ZooTranslator;
import io.maskserve.v1.ClassifierMetadata;
import io.maskserve.v1.GeneratorMetadata;
import io.maskserve.v1.ModelInfo;
import io.maskserve.zoo.ModelKey;
import io.maskserve.zoo.ZooLocation;
import io.maskserve.zoo.ZooStore;
import io.maskserve.zoo.ZooStores;
import io.maskserve.zoo.fs.StoreLimits;
import io.maskserve.zoo.validation.OnnxModelValidator;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The zoo operations of the CLI, either through a server or directly on a directory or S3 zoo. */
interface ZooAccess extends AutoCloseable {

  ModelInfo registerClassifier(ClassifierMetadata metadata, Path onnx);

  ModelInfo registerGenerator(GeneratorMetadata metadata, Path onnx);

  List<ModelInfo> list(String name);

  boolean delete(String name, String version, boolean generatorOnly);

  @Override
  void close();

  /** Through a running server's ModelZooService; closing closes {@code client}. */
  static ZooAccess remote(MaskserveClient client) {
    return new ZooAccess() {
      @Override
      public ModelInfo registerClassifier(ClassifierMetadata metadata, Path onnx) {
        return client.registerClassifier(metadata, onnx);
      }

      @Override
      public ModelInfo registerGenerator(GeneratorMetadata metadata, Path onnx) {
        return client.registerGenerator(metadata, onnx);
      }

      @Override
      public List<ModelInfo> list(String name) {
        return client.listModels(name);
      }

      @Override
      public boolean delete(String name, String version, boolean generatorOnly) {
        return client.deleteModel(name, version, generatorOnly);
      }

      @Override
      public void close() {
        client.close();
      }
    };
  }

  /**
   * Directly on a zoo directory (created if missing) or S3 zoo, validating uploads with ONNX Runtime
   * like the server does. A directory may be served at the same time (writers share its commit
   * lock); an S3 zoo may be served by any number of replicas.
   */
  static ZooAccess local(ZooLocation location) {
    ZooStore store = ZooStores.open(location, new OnnxModelValidator(OrtEnvironment.getEnvironment()),
        StoreLimits.defaults());
    ZooTranslator translator = new ZooTranslator();
    return new ZooAccess() {
      @Override
      public ModelInfo registerClassifier(ClassifierMetadata metadata, Path onnx) {
        try (InputStream in = open(onnx)) {
          return translator.toInfo(store.registerClassifier(translator.toRegistration(metadata), in));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }

      @Override
      public ModelInfo registerGenerator(GeneratorMetadata metadata, Path onnx) {
        try (InputStream in = open(onnx)) {
          return translator.toInfo(store.registerGenerator(translator.toRegistration(metadata), in));
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }

      @Override
      public List<ModelInfo> list(String name) {
        return store.list().stream()
            .filter(m -> name == null || name.isEmpty() || m.name().equals(name))
            .map(translator::toInfo)
            .toList();
      }

      @Override
      public boolean delete(String name, String version, boolean generatorOnly) {
        return store.delete(new ModelKey(name, version), generatorOnly);
      }

      @Override
      public void close() {
        if (store instanceof AutoCloseable c) {
          try {
            c.close();
          } catch (Exception e) {
            throw new IllegalStateException("closing the zoo failed: " + e.getMessage(), e);
          }
        }
      }
    };
  }

  private static InputStream open(Path file) {
    try {
      return Files.newInputStream(file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
