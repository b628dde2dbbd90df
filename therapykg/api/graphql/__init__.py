"""The GraphQL API (strawberry) over the same graph: typed access for
front-ends and side-by-side therapy comparisons for researchers."""
