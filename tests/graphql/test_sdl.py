"""schema.graphql is the published contract: it must say exactly what the code serves."""

from registry.graphql import SDL_PATH, sdl


def test_schema_file_matches_the_code() -> None:
    assert SDL_PATH.read_text(encoding="utf-8") == sdl(), (
        "registry/graphql/schema.graphql is out of date; regenerate it with: python -m registry.graphql"
    )


def test_schema_exposes_every_node_kind_and_analysis_entry_points() -> None:
    text = sdl()
    for kind in ("Department", "System", "Dataset", "Field", "DataElement", "Interface", "Project", "Need"):
        assert f"type {kind} implements Node" in text
    for mutation in (
        "upsertDepartment",
        "upsertSystem",
        "upsertDataset",
        "declareNeed",
        "recordSharing",
        "recordLineage",
        "importCatalogue",
    ):
        assert f"  {mutation}(" in text
