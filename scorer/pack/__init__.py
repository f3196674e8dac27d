"""Rulepacks: the model (`model`), reading and validating them (`load`, `conditions`, `patterns`),
the bundled packs (`bundled`) and editing a weight in place (`edit`)."""
