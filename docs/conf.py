"""
Sphinx configuration of the stemimmune documentation.

Build it with warnings as errors, from an environment where the package and its
``docs`` extra are installed::

    python -m sphinx -n -W --keep-going -b html docs docs/_build/html

The build runs offline: intersphinx links to the Python, attrs, pandas and
matplotlib documentation are made only when ``STEMIMMUNE_DOCS_INTERSPHINX=1`` is set
(their inventories are downloaded), and names from those projects are never
reported as broken references otherwise.
"""

import os
import sys
from importlib.metadata import version as _version
from pathlib import Path


sys.path.insert(0, str(Path(__file__).parent / "_ext"))

# -- project -----------------------------------------------------------------------

project = "stemimmune"
author = "The stemimmune developers"
copyright = "the stemimmune developers"  # noqa: A001 - the name Sphinx reads
release = _version("stemimmune")  # the one version, from pyproject.toml via metadata
version = ".".join(release.split(".")[:2])

# -- general -----------------------------------------------------------------------

extensions = [
    "myst_nb",  # MyST Markdown pages and executed notebooks (it loads myst_parser)
    "sphinx.ext.autodoc",
    "sphinx.ext.napoleon",
    "sphinx.ext.intersphinx",
    "sphinx.ext.viewcode",
    "stemimmune_docs",  # docs/_ext: the dataset-schema tables, from the model classes
]
exclude_patterns = ["_build", "jupyter_execute", ".jupyter_cache", "**.ipynb_checkpoints"]
nitpicky = True

# Names from the standard library's and other projects' documentation. Offline they
# cannot be linked, so they are not reported; with intersphinx on, the ones those
# inventories hold are linked. Every name of stemimmune itself must resolve.
_stdlib = "|".join(sorted(sys.stdlib_module_names))
nitpick_ignore_regex = [
    ("py:.*", rf"({_stdlib})(\..*)?"),
    ("py:.*", r"(attrs|cattrs|pandas|pd|matplotlib|numpy)(\..*)?"),
    ("py:.*", r"(Axes|Figure|DataFrame|Traversable|TextIO|PathLike|Path)"),  # names imported for type checking only
    ("py:class", r"stemimmune\.(serialization\.T|knowledge_base\.R|query\.R|_results\.R|_results\.T_co)"),  # TypeVars
    ("py:class", r"stemimmune\._index\.Index"),  # private: the engine's index
    ("py:class", r"(stemimmune\.export\.)?_Tables"),  # private: what the tables read of a KnowledgeBase
    ("py:class", r"(stemimmune\._tables\.)?Tables"),  # private: what the tables read of a KnowledgeBase
    ("py:class", r"stemimmune\.vocabulary\.V"),  # a TypeVar
    ("py:class", r"(stemimmune\._dates\.)?PartialDate"),  # documented as stemimmune.PartialDate
    ("py:class", r"(httpx|dt)(\..*)?"),  # httpx's types; datetime imported as dt
]

# -- MyST and notebooks ------------------------------------------------------------

myst_enable_extensions = ["colon_fence", "deflist"]
myst_heading_anchors = 3
nb_execution_mode = "force"  # run every notebook from a clean kernel on every build
nb_execution_raise_on_error = True  # a failing cell fails the build
nb_execution_timeout = 300
nb_merge_streams = True

# -- API reference -----------------------------------------------------------------

autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_preserve_defaults = True
napoleon_google_docstring = True
napoleon_numpy_docstring = False
napoleon_use_rtype = False
add_module_names = False

intersphinx_mapping: dict[str, tuple[str, str | None]] = {}
if os.environ.get("STEMIMMUNE_DOCS_INTERSPHINX") == "1":
    intersphinx_mapping = {
        "python": ("https://docs.python.org/3", None),
        "attrs": ("https://www.attrs.org/en/stable/", None),
        "pandas": ("https://pandas.pydata.org/docs/", None),
        "matplotlib": ("https://matplotlib.org/stable/", None),
    }

# -- HTML --------------------------------------------------------------------------

html_theme = "furo"
html_title = f"stemimmune {release}"
html_static_path: list[str] = []
