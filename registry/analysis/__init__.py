"""Analyses: the questions the registry exists to answer, as pure functions of a projection.

Every analysis takes the graph a caller may see (``RegistryService.graph(caller)``), so no
finding or piece of evidence can mention what that caller may not see. Duplicate detection
also runs on a compact matrix (``registry.analysis.matrix.ItemMatrix``) that can be built
without a graph at national scale.
"""
