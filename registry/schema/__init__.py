"""The registry's vocabulary: node and edge models, enumerations, codes, the graph records and the native document."""
