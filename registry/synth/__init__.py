"""Synthetic registries of any size with planted problems and their ground truth, for the
analysis tests (small) and the benchmarks (large)."""

from registry.synth.declaration import to_declaration
from registry.synth.generate import Synth, SynthConfig, generate

__all__ = ["Synth", "SynthConfig", "generate", "to_declaration"]
