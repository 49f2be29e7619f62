"""Synthetic registries of any size with planted problems and their ground truth, for the
analysis tests (small) and the benchmarks (large). ``write_native`` puts one on disk as a
native document with its truth beside it (see ``registry.synth.native``)."""

from registry.synth.declaration import to_declaration
from registry.synth.generate import Synth, SynthConfig, generate
from registry.synth.native import NativeFiles, read_truth, to_document, truth_path, write_native

__all__ = [
    "NativeFiles",
    "Synth",
    "SynthConfig",
    "generate",
    "read_truth",
    "to_declaration",
    "to_document",
    "truth_path",
    "write_native",
]
