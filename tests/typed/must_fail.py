"""
Calls that MUST fail type checking; tests/test_typing.py asserts mypy rejects each one.

Each case sits between ``# case:`` markers so the test can check every case alone.
This file is excluded from the project's own mypy run.
"""

from __future__ import annotations

import stemimmune
from stemimmune import Disorder, Therapy
from stemimmune.vocabulary import DonorRelation


kb = stemimmune.load()

# case: a misspelt filter
kb.therapies_for("MS", mechansim="immune-reset")

# case: a filter of the wrong type
kb.therapies_for("MS", stem_cell_only="false")

# case: a record of the wrong kind where a disorder is meant
kb.therapies_for("MS", therapy=kb.get("MS", Disorder))

# case: the typed get returns the kind asked for, not another
wrong: Therapy = kb.get("MS", Disorder)

# case: an untyped get returns a union, without a therapy's fields
kb.get("autologous-hsct").procedure

# case: None is not a disorder
kb.therapies_for(None)

# case: search takes text
kb.search(5)

# case: an unknown collection name
kb.search("ms", kinds=["diseases"])

# case: a therapy without its required collections (citations, sources, mechanisms)
Therapy(id="t", name="t", cell_type_id="c", donor_relation=DonorRelation.AUTOLOGOUS)
