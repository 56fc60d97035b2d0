"""The Jupyter layer: magics (``%load_ext dj_jupyter``) and notebook helpers.

The only layer of dj_jupyter that imports IPython; importing this package imports
nothing from IPython (``dj_jupyter.jupyter.magics`` does).
"""

__all__: list[str] = []
