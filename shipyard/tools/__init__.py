"""The maintainers' tools, run as `python -m shipyard.tools.NAME`: `build` (generated files),
`execute` (a notebook's stored outputs), `coursemap` and `navigation` (what `build` writes).
They import the library; the library never imports them."""
