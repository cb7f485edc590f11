"""The label sets every model and data file here shares."""

ENTITY_LABELS = ("PER", "POS", "ORG", "LOC", "DOC", "EVENT", "DATE")
DOC_LABELS = ("inspection", "review", "directive", "other")
BIO_LABELS = ("O",) + tuple(f"{p}-{l}" for l in ENTITY_LABELS for p in ("B", "I"))
