#!/usr/bin/python3
"""Explains image files with a maskserve server, from Python.

Usage:
  /usr/bin/python3 examples/python/explain.py --server localhost:50051 --model resnet20 IMAGE...

Needs grpcio and protobuf (Debian: python3-grpcio python3-protobuf) and a protobuf compiler that
knows proto3 `optional` (Debian: protobuf-compiler libprotobuf-dev, protoc >= 3.15; or pip's
grpcio-tools >= 1.32). The message classes are generated at run time from ../../proto into a
temporary directory, so nothing generated is kept in the repository. The gRPC methods are called
through grpc's generic channel API, so no gRPC code-generator plugin is needed.

For every image it prints the top-1 label, its probability and the mask's keep fraction, unpacks
the mask bits (row-major, MSB first: pixel i is bit 7 - i % 8 of byte i // 8) and checks that
they agree with keep_fraction. Exits 1 if any call fails or any check does not hold.
"""

import argparse
import importlib
import os
import shutil
import subprocess
import sys
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PROTO_DIR = os.path.join(ROOT, "proto", "src", "main", "proto")
THIRD_PARTY = os.path.join(ROOT, "examples", "third_party", "googleapis")
PROTOS = ["maskserve/v1/explain.proto", "maskserve/v1/zoo.proto", "google/rpc/status.proto"]


def grpc_tools_version():
    """Version of the installed grpcio-tools as a tuple, (0,) when absent."""
    try:
        from importlib import metadata

        return tuple(int(p) for p in metadata.version("grpcio-tools").split(".")[:2])
    except Exception:  # not installed, or an unparsable version
        return (0,)


def generate(out_dir):
    """Generates *_pb2.py for the contract into out_dir with grpc_tools (if recent) or protoc."""
    includes = ["-I" + PROTO_DIR, "-I" + THIRD_PARTY]
    if grpc_tools_version() >= (1, 32):  # pip's grpcio-tools bundles a recent protoc
        import grpc_tools
        from grpc_tools import protoc as grpc_protoc

        wkt = os.path.join(os.path.dirname(grpc_tools.__file__), "_proto")
        if grpc_protoc.main(["protoc"] + includes + ["-I" + wkt, "--python_out=" + out_dir] + PROTOS) == 0:
            return
    # Debian's python3-grpc-tools (1.14) predates proto3 `optional`: use the system protoc.
    protoc = shutil.which("protoc")
    if protoc is None:
        sys.exit("explain.py: no protoc found: apt-get install protobuf-compiler libprotobuf-dev")
    if os.path.isdir("/usr/include/google/protobuf"):
        includes.append("-I/usr/include")
    result = subprocess.run([protoc] + includes + ["--python_out=" + out_dir] + PROTOS,
                            capture_output=True, text=True)
    if result.returncode != 0:
        sys.exit("explain.py: protoc failed: " + result.stderr.strip())


def unpack_mask(mask):
    """The mask as a list of rows of booleans (True = pixel kept)."""
    h, w, bits = mask.height, mask.width, mask.bits
    if len(bits) < (h * w + 7) // 8:
        raise ValueError("mask %dx%d needs %d bytes, got %d" % (h, w, (h * w + 7) // 8, len(bits)))
    return [[(bits[(y * w + x) // 8] >> (7 - (y * w + x) % 8)) & 1 == 1 for x in range(w)]
            for y in range(h)]


def main():
    parser = argparse.ArgumentParser(description="Explain images with a maskserve server.")
    parser.add_argument("--server", required=True, help="HOST:PORT of the server")
    parser.add_argument("--model", required=True, help="zoo model name")
    parser.add_argument("--version", default="", help="model version (default: newest with a generator)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per call (default 30)")
    parser.add_argument("--show-mask", action="store_true", help="print the mask as text (# kept, . removed)")
    parser.add_argument("images", nargs="+", metavar="IMAGE")
    args = parser.parse_args()

    import grpc

    gen_dir = tempfile.mkdtemp(prefix="maskserve-py-")
    try:
        generate(gen_dir)
        sys.path.insert(0, gen_dir)
        explain_pb2 = importlib.import_module("maskserve.v1.explain_pb2")
    finally:
        shutil.rmtree(gen_dir, ignore_errors=True)  # modules stay loaded

    failures = 0
    with grpc.insecure_channel(args.server) as channel:
        explain = channel.unary_unary(
            "/maskserve.v1.ExplainService/Explain",
            request_serializer=explain_pb2.ExplainRequest.SerializeToString,
            response_deserializer=explain_pb2.ExplainResponse.FromString,
        )
        for path in args.images:
            try:
                with open(path, "rb") as f:
                    encoded = f.read()
            except OSError as e:
                print("explain.py: %s: %s" % (path, e.strerror), file=sys.stderr)
                failures += 1
                continue
            request = explain_pb2.ExplainRequest(
                model=args.model, version=args.version, encoded=encoded,
                request_id=os.path.basename(path))
            try:
                r = explain(request, timeout=args.timeout)
            except grpc.RpcError as e:
                print("explain.py: %s: %s: %s" % (path, e.code().name, e.details()), file=sys.stderr)
                failures += 1
                continue

            top = r.predictions[0]
            kept = unpack_mask(r.mask)
            n = r.mask.height * r.mask.width
            counted = sum(sum(row) for row in kept) / n
            consistent = abs(counted - r.mask.keep_fraction) <= 1.0 / n
            print("%s: top-1 %s (p=%.3f), keep fraction %.3f (bits: %.3f, %s), %s p on mask %.3f, version %s"
                  % (path, top.label, top.probability, r.mask.keep_fraction, counted,
                     "consistent" if consistent else "INCONSISTENT", r.target_label,
                     r.mask.target_probability, r.version))
            if args.show_mask:
                for row in kept:
                    print("".join("#" if k else "." for k in row))
            if not consistent or r.request_id != request.request_id:
                print("explain.py: %s: response failed its checks" % path, file=sys.stderr)
                failures += 1
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
