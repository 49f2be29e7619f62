"""The HTTP server: the GraphQL API, the planners' pages, health and metrics, behind token authentication."""
