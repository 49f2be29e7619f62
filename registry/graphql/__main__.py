"""``python -m registry.graphql``: rewrite schema.graphql from the code."""

from registry.graphql.schema import SDL_PATH, sdl

SDL_PATH.write_text(sdl(), encoding="utf-8")
print(f"wrote {SDL_PATH}")
