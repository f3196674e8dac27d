"""Questions asked of scores: what if a weight changed (`sensitivity`), what if another pack (`compare`),
what if some events had not happened (`whatif`)."""
