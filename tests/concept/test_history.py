"""The manager behind `obj.history`: one class, however often it is reached."""

import pytest

from concept.history import HistoryManager
from measures.models import Measure, ProgressEntry
from networks.models import Organisation


@pytest.mark.parametrize("model", [Measure, ProgressEntry, Organisation])
def test_history_manager_class_is_built_once(model):
    first, second = type(model().history), type(model().history)
    assert first is second
    assert issubclass(first, HistoryManager)
