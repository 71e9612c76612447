"""Track Two Casebook generator: load → validate → link → render, handed to MkDocs by a hook."""
