"""Process plumbing: every process a lesson starts is a child of its kernel (`processes`),
tethered to it so it dies with it even on SIGKILL (`tether`), served by `runner`, and where
it can be, forked by the kernel's zygote (`zygote`, `forked`) instead of a new interpreter.
Lessons reach it through `shipyard.services`, `shipyard.bus` and `shipyard.ci`."""
