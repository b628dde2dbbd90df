"""The HTTP service: SPARQL 1.1 endpoint, named queries, linked data and
downloads, served by one Starlette application under uvicorn."""
