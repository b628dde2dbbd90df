"""The researcher's web: server-rendered pages over the domain model (the
same services as GraphQL and the CLI), with no request leaving the service."""
