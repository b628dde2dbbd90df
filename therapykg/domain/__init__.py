"""The domain model: what the service computes from the graph, with no
knowledge of how it is asked (HTTP, GraphQL, the command line)."""
