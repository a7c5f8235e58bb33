"""The command-line layer: one module per command group; each only parses, calls the core, prints."""
