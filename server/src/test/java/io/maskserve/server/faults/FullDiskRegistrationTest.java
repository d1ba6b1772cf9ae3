package io.maskserve.server.faults;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.maskserve.server.MaskserveServer;
import io.maskserve.server.ServerConfig;
import io.maskserve.server.ServerProcess;
import io.maskserve.server.TestData;
import io.maskserve.server.grpc.ZooUploads;
import io.maskserve.v1.ExplainRequest;
import io.maskserve.v1.ExplainResponse;
import io.maskserve.v1.ExplainServiceGrpc;
import io.maskserve.v1.ListModelsRequest;
import io.maskserve.v1.ModelInfo;
import io.maskserve.v1.ModelZooServiceGrpc;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A full disk during registration: the zoo on a 6 MiB tmpfs, ResNet-20 (1.07 MB) registered through
 * the server version after version until the disk is full. The failing registration is
 * RESOURCE_EXHAUSTED naming the full disk; no half-written version is listed, before or after a
 * restart, and none is left on disk; earlier versions still explain; a generator registration on
 * a full disk fails the same way and leaves its version intact; once space is freed (a version
 * deleted; no zoo file is left open or mapped, which would keep a deleted file's space), both
 * registrations succeed. Needs permission to mount a tmpfs (root); skipped otherwise.
 */
class FullDiskRegistrationTest {

  @TempDir Path dir;
  private Path mount;

  private static int run(String... cmd) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    p.getInputStream().readAllBytes();
    return p.waitFor();
  }

  @AfterEach
  void unmount() throws Exception {
    if (mount != null && run("umount", mount.toString()) != 0) {
      run("umount", "-l", mount.toString());
    }
  }

  private MaskserveServer start() {
    return MaskserveServer.start(ServerConfig.builder().zoo(mount.resolve("zoo")).port(0)
        .bindAddress(ServerConfig.LOOPBACK).refreshInterval(Duration.ofMillis(200))
        .shutdownGrace(Duration.ofSeconds(2)).build());
  }

  private static List<String> versions(ManagedChannel ch) {
    return ModelZooServiceGrpc.newBlockingStub(ch).listModels(ListModelsRequest.getDefaultInstance()).getModelsList()
        .stream().map(ModelInfo::getVersion).sorted().toList();
  }

  private static ExplainResponse explain(ManagedChannel ch, String version) {
    return ExplainServiceGrpc.newBlockingStub(ch).withDeadlineAfter(60, TimeUnit.SECONDS)
        .explain(ExplainRequest.newBuilder().setModel(TestData.MODEL).setVersion(version)
            .setEncoded(ByteString.copyFrom(TestData.read(TestData.cifarImage("ship", 800)))).build());
  }

  /** Fills the file system with {@code file} until it is full; returns the bytes written. */
  private static long fill(Path file) throws IOException {
    byte[] block = new byte[4096];
    long n = 0;
    try (OutputStream out = Files.newOutputStream(file)) {
      while (true) {
        out.write(block);
        n += block.length;
      }
    } catch (IOException e) {
      assertTrue(String.valueOf(e.getMessage()).contains("No space left"), e.toString());
    }
    return n;
  }

  @Test
  void registrationOnAFullDiskIsResourceExhaustedAndLeavesNothingHalfVisible() throws Exception {
    mount = dir.resolve("tmpfs");
    Files.createDirectories(mount);
    int rc = run("mount", "-t", "tmpfs", "-o", "size=6m", "tmpfs", mount.toString());
    if (rc != 0) {
      mount = null;
    }
    Assumptions.assumeTrue(rc == 0, "cannot mount a tmpfs here (needs root or CAP_SYS_ADMIN): the full-disk test is skipped");
    byte[] onnx = TestData.read(TestData.resnetOnnx());
    byte[] generator = TestData.generatorOnnx(8);
    Path zoo = mount.resolve("zoo");

    List<String> registered = new ArrayList<>();
    StatusRuntimeException full = null;
    try (MaskserveServer server = start()) {
      ManagedChannel ch = NettyChannelBuilder.forAddress(ServerConfig.LOOPBACK, server.port()).usePlaintext().build();
      try {
        ZooUploads.registerClassifier(ch, ZooUploads.resnetMetadata("1"), onnx);
        ZooUploads.registerGenerator(ch, ZooUploads.generatorMetadata("1", 0.5f), generator);
        registered.add("1");
        for (int v = 2; v <= 10 && full == null; v++) {
          try {
            ZooUploads.registerClassifier(ch, ZooUploads.resnetMetadata(Integer.toString(v)), onnx);
            registered.add(Integer.toString(v));
          } catch (StatusRuntimeException e) {
            full = e;
          }
        }
        assertTrue(full != null, "6 MiB hold fewer than 10 copies of a 1.07 MB model");
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, full.getStatus().getCode(), full.toString());
        assertTrue(full.getStatus().getDescription().contains("the disk is full"), full.getStatus().getDescription());
        String failed = Integer.toString(registered.size() + 1);
        System.out.println("registered " + registered + ", version " + failed + " failed: " + full.getStatus());
        assertEquals(registered, versions(ch), "the failed version is not listed");
        assertFalse(Files.exists(zoo.resolve(TestData.MODEL).resolve(failed)), "no directory of the failed version");
        assertEquals(List.of(), leftovers(zoo), "nothing left in staging");
        assertEquals(5, explain(ch, "1").getPredictionsCount(), "an earlier version still explains");

        // A generator on a full disk: the version keeps its manifest and stays as it was.
        Map<String, String> before = ServerProcess.tree(zoo);
        long filler = fill(mount.resolve("filler"));
        String last = registered.get(registered.size() - 1);
        StatusRuntimeException g = assertThrows(StatusRuntimeException.class,
            () -> ZooUploads.registerGenerator(ch, ZooUploads.generatorMetadata(last, 0.5f), generator));
        assertEquals(Status.Code.RESOURCE_EXHAUSTED, g.getStatus().getCode(), g.toString());
        assertTrue(g.getStatus().getDescription().contains("the disk is full"), g.getStatus().getDescription());
        assertEquals(before, ServerProcess.tree(zoo), "the failed generator registration changed nothing");
        assertFalse(ModelZooServiceGrpc.newBlockingStub(ch).listModels(ListModelsRequest.getDefaultInstance())
            .getModelsList().stream().filter(m -> m.getVersion().equals(last)).findFirst().orElseThrow().hasGenerator());
        System.out.println("filler " + filler + " bytes; generator on a full disk: " + g.getStatus());
        Files.delete(mount.resolve("filler"));
      } finally {
        ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }

    // After a restart: the same versions, nothing half-visible; then free space and register again.
    try (MaskserveServer server = start()) {
      ManagedChannel ch = NettyChannelBuilder.forAddress(ServerConfig.LOOPBACK, server.port()).usePlaintext().build();
      try {
        assertEquals(registered, versions(ch), "after a restart");
        assertEquals(List.of(), leftovers(zoo));
        assertEquals(5, explain(ch, "1").getPredictionsCount());
        String failed = Integer.toString(registered.size() + 1);
        // Free space: delete version 2 (not the one with the generator).
        ModelZooServiceGrpc.newBlockingStub(ch).deleteModel(io.maskserve.v1.DeleteModelRequest.newBuilder()
            .setName(TestData.MODEL).setVersion("2").build());
        // No zoo file may stay open or mapped: a deleted one would keep its space (the validator's
        // mapping of each upload used to live until the next GC, so this registration failed).
        System.out.println("after deleting version 2: " + Files.getFileStore(mount).getUsableSpace() + " bytes free");
        assertEquals(List.of(), openFilesUnder(mount), "zoo files held open or mapped by the server");
        ZooUploads.registerClassifier(ch, ZooUploads.resnetMetadata(failed), onnx);
        ZooUploads.registerGenerator(ch, ZooUploads.generatorMetadata(failed, 0.5f), generator);
        List<String> now = new ArrayList<>(registered);
        now.remove("2");
        now.add(failed);
        assertEquals(now.stream().sorted().toList(), versions(ch));
        assertEquals(5, explain(ch, failed).getPredictionsCount(), "the version registered after freeing space explains");
      } finally {
        ch.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      }
    }
  }

  /** Files under {@code dir} this process holds open or mapped (deleted ones still take tmpfs space). */
  private static List<String> openFilesUnder(Path dir) throws IOException {
    List<String> out = new ArrayList<>();
    try (java.util.stream.Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      for (Path fd : fds.toList()) {
        try {
          String target = Files.readSymbolicLink(fd).toString();
          if (target.startsWith(dir.toString())) {
            out.add("fd " + target);
          }
        } catch (IOException e) {
          // closed meanwhile
        }
      }
    }
    for (String line : Files.readAllLines(Path.of("/proc/self/maps"))) {
      if (line.contains(dir.toString())) {
        out.add("map " + line.substring(line.indexOf('/')));
      }
    }
    return out;
  }

  /** Files in the zoo's staging and trash areas, and temp files in version directories. */
  private static List<String> leftovers(Path zoo) throws IOException {
    return ServerProcess.tree(zoo).keySet().stream()
        .filter(k -> k.startsWith(".staging/") || k.startsWith(".trash/") || k.contains("/."))
        .toList();
  }

}
