"""dj_jupyter: a Jupyter-native implementation of DataJoint.

``import dj_jupyter as dj`` gives the DataJoint 2.x public API.  Importing connects
to nothing and stays light: pandas, networkx and IPython load when first used.
"""
