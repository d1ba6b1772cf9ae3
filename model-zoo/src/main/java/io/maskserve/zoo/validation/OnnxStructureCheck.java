package io.maskserve.zoo.validation;

import ai.onnx.proto.OnnxMl;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.SparseTensorProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.CodedInputStream;
import com.google.protobuf.InvalidProtocolBufferException;
import io.maskserve.zoo.ZooException;
import java.io.IOException;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Set;
import java.util.function.Consumer;

/**
 * Static checks on the ONNX protobuf, done before ONNX Runtime sees the file: it must parse, have a
 * graph, use only the standard operator domains, embed all its tensors (no external data, which
 * would make ONNX Runtime read arbitrary files next to the model, e.g. {@code ../../etc/passwd}),
 * and carry at most {@link OnnxModelValidator#MAX_METADATA_BYTES} of metadata.
 */
final class OnnxStructureCheck {

  static final Set<String> ALLOWED_DOMAINS = Set.of("", "ai.onnx", "ai.onnx.ml");

  private OnnxStructureCheck() {}

  /**
   * Parses and checks {@code onnx}, then hands the model to {@code more} for further checks;
   * throws {@link ZooException} INVALID_ARGUMENT naming the problem.
   *
   * <p>The model aliases a memory mapping of the file (its tensors are not copied to the heap),
   * which is unmapped when this method returns: {@code more} must not keep the model or any part
   * of it. Unmapping at once, rather than whenever the garbage collector gets to the buffer, matters:
   * while a deleted file is still mapped its disk space is not freed, so deleting models to make
   * room on a full disk did not work until the next GC.
   */
  static void check(Path onnx, String what, Consumer<ModelProto> more) {
    try (FileChannel ch = FileChannel.open(onnx, StandardOpenOption.READ)) {
      long size = ch.size();
      if (size == 0) {
        throw invalid(what + " is empty, not an ONNX model");
      }
      if (size > Integer.MAX_VALUE) {
        throw invalid(what + " is larger than 2 GiB, the limit of a single ONNX protobuf");
      }
      MappedByteBuffer buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, size);
      try {
        ModelProto model = parse(buf, what);
        checkModel(model, what);
        more.accept(model);
      } finally {
        unmap(buf);
      }
    } catch (IOException e) {
      throw new ZooException(ZooException.Reason.INTERNAL, "cannot read " + onnx + ": " + e, e);
    }
  }

  private static void checkModel(ModelProto model, String what) {
    if (!model.hasGraph()) {
      if (model.getIrVersion() == 0) {
        throw invalid(what + " is not an ONNX model (no ir_version and no graph)");
      }
      throw invalid(what + " is an ONNX model without a graph");
    }
    for (OperatorSetIdProto op : model.getOpsetImportList()) {
      if (!ALLOWED_DOMAINS.contains(op.getDomain())) {
        throw invalid(what + " imports the custom operator domain '" + op.getDomain()
            + "'; only the standard domains ai.onnx and ai.onnx.ml are allowed");
      }
    }
    checkMetadata(model, what);
    if (model.getFunctionsCount() > 0) {
      throw invalid(what + " defines model-local functions ('" + model.getFunctions(0).getName()
          + "'); export without them (only standard ONNX operators are allowed)");
    }
    checkGraph(model.getGraph(), what);
  }

  private static ModelProto parse(MappedByteBuffer buf, String what) {
    try {
      CodedInputStream in = CodedInputStream.newInstance(buf);
      in.enableAliasing(true); // tensors alias the mapping instead of being copied to the heap
      in.setSizeLimit(Integer.MAX_VALUE);
      return ModelProto.parseFrom(in);
    } catch (InvalidProtocolBufferException e) {
      // Not e itself as the cause: it may hold the partly parsed model, which aliases the mapping.
      throw invalid(what + " is not a parseable ONNX model: " + e.getMessage(),
          new InvalidProtocolBufferException(e.getMessage()));
    } catch (IOException e) {
      throw new ZooException(ZooException.Reason.INTERNAL, "cannot parse " + what + ": " + e.getMessage());
    } catch (RuntimeException e) {
      if (e instanceof ZooException) {
        throw e;
      }
      throw invalid(what + " is not a parseable ONNX model: " + e);
    }
  }

  /**
   * Releases {@code buf}'s mapping now ({@code sun.misc.Unsafe.invokeCleaner}, in the JDK's
   * jdk.unsupported module); where that is unavailable the garbage collector releases it later.
   */
  private static void unmap(MappedByteBuffer buf) {
    try {
      Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
      java.lang.reflect.Field f = unsafeClass.getDeclaredField("theUnsafe");
      f.setAccessible(true);
      Object unsafe = f.get(null);
      unsafeClass.getMethod("invokeCleaner", java.nio.ByteBuffer.class).invoke(unsafe, buf);
    } catch (ReflectiveOperationException | RuntimeException e) {
      // left to the garbage collector
    }
  }

  /**
   * Refuses models whose free text (doc strings, producer, metadata_props) exceeds {@link
   * OnnxModelValidator#MAX_METADATA_BYTES}: ONNX Runtime copies all of it onto the heap, and it is
   * never needed to explain images. Sizes are the encoded UTF-8 lengths, so nothing is decoded.
   */
  private static void checkMetadata(ModelProto model, String what) {
    long total = model.getDocStringBytes().size() + model.getProducerNameBytes().size()
        + model.getProducerVersionBytes().size() + model.getDomainBytes().size();
    for (OnnxMl.StringStringEntryProto e : model.getMetadataPropsList()) {
      total += e.getKeyBytes().size() + e.getValueBytes().size();
    }
    if (model.hasGraph()) {
      total += docStrings(model.getGraph());
    }
    if (total > OnnxModelValidator.MAX_METADATA_BYTES) {
      throw invalid(what + " carries " + total + " bytes of metadata (doc_string, producer, metadata_props, "
          + model.getMetadataPropsCount() + " metadata entries); the limit is "
          + OnnxModelValidator.MAX_METADATA_BYTES + " bytes");
    }
  }

  /**
   * Total bytes of the doc strings of {@code graph}, its nodes, attributes and subgraphs (nesting is
   * bounded by protobuf's recursion limit).
   */
  private static long docStrings(GraphProto graph) {
    long total = graph.getDocStringBytes().size();
    for (NodeProto node : graph.getNodeList()) {
      total += node.getDocStringBytes().size();
      for (AttributeProto a : node.getAttributeList()) {
        total += a.getDocStringBytes().size();
        if (a.hasG()) {
          total += docStrings(a.getG());
        }
        for (GraphProto g : a.getGraphsList()) {
          total += docStrings(g);
        }
      }
    }
    return total;
  }

  private static void checkGraph(GraphProto graph, String what) {
    for (TensorProto t : graph.getInitializerList()) {
      checkTensor(t, what);
    }
    for (SparseTensorProto t : graph.getSparseInitializerList()) {
      checkTensor(t.getValues(), what);
      checkTensor(t.getIndices(), what);
    }
    for (NodeProto node : graph.getNodeList()) {
      if (!ALLOWED_DOMAINS.contains(node.getDomain())) {
        throw invalid(what + ": node '" + node.getName() + "' (" + node.getOpType() + ") uses the custom domain '"
            + node.getDomain() + "'; only the standard domains ai.onnx and ai.onnx.ml are allowed");
      }
      for (AttributeProto a : node.getAttributeList()) {
        if (a.hasT()) {
          checkTensor(a.getT(), what);
        }
        for (TensorProto t : a.getTensorsList()) {
          checkTensor(t, what);
        }
        if (a.hasSparseTensor()) {
          checkTensor(a.getSparseTensor().getValues(), what);
          checkTensor(a.getSparseTensor().getIndices(), what);
        }
        if (a.hasG()) {
          checkGraph(a.getG(), what);
        }
        for (GraphProto g : a.getGraphsList()) {
          checkGraph(g, what);
        }
      }
    }
  }

  private static void checkTensor(TensorProto t, String what) {
    if (t.getDataLocation() == TensorProto.DataLocation.EXTERNAL || t.getExternalDataCount() > 0) {
      String location = "";
      for (OnnxMl.StringStringEntryProto e : t.getExternalDataList()) {
        if (e.getKey().equals("location")) {
          location = " ('" + e.getValue() + "')";
        }
      }
      throw invalid(what + ": tensor '" + t.getName() + "' keeps its data in an external file" + location
          + "; re-export with all weights embedded in the .onnx file (no external data)");
    }
  }

  static ZooException invalid(String message) {
    return new ZooException(ZooException.Reason.INVALID_ARGUMENT, message);
  }

  static ZooException invalid(String message, Throwable cause) {
    return new ZooException(ZooException.Reason.INVALID_ARGUMENT, message, cause);
  }
}
