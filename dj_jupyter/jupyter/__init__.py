"""The Jupyter layer: magics (``%load_ext dj_jupyter``), widgets and notebook display.

The only layer of dj_jupyter that imports IPython; importing this package imports
nothing from IPython, ipywidgets or anywidget (``dj_jupyter.jupyter.magics`` and
``dj_jupyter.jupyter.widgets`` do).  ``populate_in_background`` is loaded on first use.

The JupyterLab extension built from ``labextension/`` ships in ``labextension/`` here
and, installed, under ``share/jupyter/labextensions/dj-jupyter-labextension``.
"""

__all__ = ["populate_in_background"]


def _jupyter_labextension_paths() -> list[dict[str, str]]:
    """Where the built JupyterLab extension is, for ``jupyter labextension develop``."""
    return [{"src": "labextension", "dest": "dj-jupyter-labextension"}]


def __getattr__(name: str):
    if name == "populate_in_background":
        from .widgets import populate_in_background

        return populate_in_background
    raise AttributeError(f"module 'dj_jupyter.jupyter' has no attribute {name!r}")
