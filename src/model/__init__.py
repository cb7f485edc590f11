"""Named entities and article types for Vietnamese political news.

    import model
    predictor = model.load()                 # the shipped default, offline
    result = predictor("Chiều 12-6, Bí thư Thành ủy ...")
    result.entities, result.doc_label, result.doc_scores, result.officials
"""
__version__ = "0.1.0"
__all__ = ["load", "Predictor", "Result", "Entity", "Official", "__version__"]

_LAZY = {"load": "model.predictor", "Predictor": "model.predictor", "Result": "model.result",
         "Entity": "model.result", "Official": "model.result"}


def __getattr__(name):
    # torch and transformers load on first use, so the text and data tools start fast
    if name in _LAZY:
        import importlib

        return getattr(importlib.import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'model' has no attribute {name!r}")
