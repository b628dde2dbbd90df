"""GraphQL types, one concern per module, each built from a graph Node."""
