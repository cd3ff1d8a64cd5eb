"""The maintainers' tools, run as `python -m shipyard.tools.NAME`: `build` (generated files),
`bench` (the benchmark), `execute` (a notebook's stored outputs), and `coursemap` and
`navigation` (what `build` writes). They import the library; the library never imports them."""
