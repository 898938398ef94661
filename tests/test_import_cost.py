"""
Pay only for what is used (#23): what ``import stemimmune``, ``load()`` and each query build.

The import checks run in fresh interpreters (this one has imported everything already);
the index checks read which structures an index holds after one question.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

import stemimmune
from stemimmune._index import Index, _Built


SRC = str(Path(stemimmune.__file__).resolve().parent.parent)


def _fresh(code: str) -> object:
    """Run *code* in a fresh interpreter that imports this checkout's stemimmune; return the JSON it prints."""
    done = subprocess.run(
        [sys.executable, "-c", f"import sys; sys.path.insert(0, {SRC!r}); {code}"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout)


def test_import_loads_only_the_package_face() -> None:
    """``import stemimmune`` imports none of its submodules, nor attrs, cattrs or the JSON machinery."""
    loaded = _fresh("import json as j, stemimmune; print(j.dumps(sorted(sys.modules)))")
    assert isinstance(loaded, list)
    ours = [m for m in loaded if m.startswith("stemimmune.")]
    assert ours == [], ours
    assert not {"attrs", "attr", "cattrs", "rapidfuzz", "importlib.resources"} & set(loaded)


def test_every_public_name_is_importable_by_name_in_a_fresh_interpreter() -> None:
    """``from stemimmune import X`` works for every name of ``__all__``, and ``dir()`` lists them all before use."""
    found = _fresh(
        "import json, stemimmune; listed = dir(stemimmune); "
        "ok = {n: getattr(__import__('stemimmune', fromlist=[n]), n) is getattr(stemimmune, n) "
        "for n in stemimmune.__all__}; print(json.dumps([listed, ok]))"
    )
    assert isinstance(found, list)
    listed, ok = found
    assert set(stemimmune.__all__) <= set(listed)
    assert ok == dict.fromkeys(stemimmune.__all__, True)


def test_each_lazy_name_is_the_object_its_module_defines() -> None:
    """The package's names are its modules' objects (no copies), and submodules are reachable as attributes."""
    from stemimmune import _loading, exceptions, knowledge_base, model

    assert stemimmune.load is _loading.load
    assert stemimmune.KnowledgeBase is knowledge_base.KnowledgeBase
    assert stemimmune.Therapy is model.Therapy
    assert stemimmune.DatasetError is exceptions.DatasetError
    found = _fresh(
        "import json, stemimmune; print(json.dumps([stemimmune.query.search.__module__, stemimmune.model.__name__]))"
    )
    assert found == ["stemimmune._search", "stemimmune.model"], "public submodules are attributes of the package"
    assert isinstance(stemimmune.__version__, str)
    with pytest.raises(AttributeError, match="no_such_name"):
        stemimmune.no_such_name  # noqa: B018


def test_loading_the_bundled_data_does_not_import_calendar() -> None:
    """Partial dates know the length of a month without the calendar module (which imports locale)."""
    loaded = _fresh("import json, stemimmune; stemimmune.load(); print(json.dumps(sorted(sys.modules)))")
    assert isinstance(loaded, list)
    assert not {"calendar", "locale"} & set(loaded)


def _built(index: Index) -> set[str]:
    """The index structures built so far."""
    lazy = {name for name, value in vars(Index).items() if isinstance(value, _Built)}
    return lazy & set(vars(index))


def test_a_fresh_knowledge_base_builds_no_index_structure_until_asked() -> None:
    kb = stemimmune.loads(stemimmune.dumps(stemimmune.load()))
    index = kb._index()
    assert _built(index) == set()
    assert kb.get("multiple-sclerosis").id == "multiple-sclerosis"
    assert _built(index) == set(), "a get() by id reads only by_id"
    assert kb.get("Multiple Sclerosis").id == "multiple-sclerosis"
    assert _built(index) == {"keys", "owners", "plain", "entries"}, "a get() by name reads only the key map"


def test_a_filter_builds_only_its_own_sets() -> None:
    kb = stemimmune.loads(stemimmune.dumps(stemimmune.load()))
    index = kb._index()
    source = kb.cell_sources[0]
    assert [t.id for t in kb.find_therapies(cell_source=source.id)] == sorted(
        t.id for t in kb.therapies if source.id in t.source_ids
    )
    built = _built(index)
    assert "therapies_by_source" in built
    assert not built & {"keys", "entries", "outgoing", "indications_by_therapy", "products_by_disorder"}, built


def test_a_search_does_not_import_the_table_views() -> None:
    """Queries return results; the table views (``to_frame()``, exports, notebooks) import their module when asked."""
    loaded = _fresh(
        "import json, stemimmune; stemimmune.load().search('lupus'); print(json.dumps(sorted(sys.modules)))"
    )
    assert isinstance(loaded, list)
    assert "stemimmune._tables" not in loaded
