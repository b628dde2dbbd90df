"""GraphQL types, one concern per module, each built from a graph Node
(``from_node``). They find each other by name through ``registry`` and link
to each other with the field helpers of ``fields``, so that no type module
imports another (``common`` aside)."""
