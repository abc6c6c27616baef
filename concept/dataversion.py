"""A concept's data version: a number that moves whenever anything of the concept changes.

Cached pages and fragments (concept.pagecache) are keyed on it, so reading a concept that
has not changed costs almost nothing while every save shows at once.

Which rows belong to a concept is found from the models' foreign keys, not from a list:
every model whose foreign keys lead to Concept (directly, like Measure.concept, or through
others, like Evidence → ProgressEntry → Measure → Concept) moves its concept's version when
a row is saved or deleted or a many-to-many relation of it changes. A model added later is
covered without being named here.

The move happens once per transaction, right after it commits (`transaction.on_commit`):
inside the transaction, the row lock on the concept would make writers that lock measures
in another order wait for each other. The person who saved sees the new state on the next
page (the move is done before their response leaves); others may see the previous state for
the milliseconds between the commit and the move.

The new version is the larger of the old one plus one and the current time in
microseconds, so a version is never handed out twice, even if a stale Concept object
writes an old number back with a full save.
"""

import functools
import time

from django.apps import apps
from django.db import connections, models, router, transaction
from django.db.models.functions import Greatest
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete

# How many foreign keys deep to look for the concept (Evidence → … → Concept is three).
MAX_DEPTH = 5


def _concept_model():
    return apps.get_model("concept", "Concept")


def _forward_keys(model):
    """The model's concrete foreign keys and one-to-one keys, in field order."""
    return [
        field
        for field in model._meta.concrete_fields
        if field.is_relation and (field.many_to_one or field.one_to_one)
    ]


@functools.cache
def concept_paths(model):
    """How rows of `model` lead to their concept: a tuple of paths, each a tuple of foreign
    key fields ending at Concept, shortest first. Direct keys to Concept win: when a model
    has one, only the direct keys count. Empty when the model has nothing to do with a
    concept (users, sessions, legal pages). Concept itself: ((),)."""
    concept = _concept_model()
    if model._meta.concrete_model is concept:
        return ((),)
    direct = tuple((f,) for f in _forward_keys(model) if f.related_model is concept)
    if direct:
        return direct
    found = []
    for field in _forward_keys(model):
        rest = _shortest_path(field.related_model, depth=MAX_DEPTH - 1, seen=frozenset({model}))
        if rest is not None:
            found.append((field, *rest))
    found.sort(key=len)
    return tuple(found)


def _shortest_path(model, *, depth, seen):
    concept = _concept_model()
    if model is None:
        return None
    if model._meta.concrete_model is concept:
        return ()
    if depth <= 0 or model in seen:
        return None
    best = None
    for field in _forward_keys(model):
        rest = _shortest_path(field.related_model, depth=depth - 1, seen=seen | {model})
        if rest is not None and (best is None or len(rest) + 1 < len(best)):
            best = (field, *rest)
    return best


def concept_ids_of(instance, learned=None):
    """The ids of the concepts the row belongs to (usually one; none for rows of no
    concept). Costs no query for rows with a direct key to their concept or whose related
    rows are loaded already (a Sachstand saved with its measure), one for others.
    `learned` (a dict) receives {(model, pk): concept ids} of the rows passed on the way."""
    learned = {} if learned is None else learned
    ids = set()
    for path in concept_paths(type(instance)):
        found = _follow(instance, path, learned)
        ids |= found
        if found and len(path) > 1:
            break  # the first path that leads somewhere is enough
    if ids and instance.pk is not None:
        learned[(type(instance)._meta.concrete_model, instance.pk)] = ids
    return ids


def _follow(instance, path, learned):
    if not path:
        return {instance.pk}
    obj, passed = instance, []
    for index, field in enumerate(path):
        value = getattr(obj, field.attname, None)
        if value is None:
            return set()
        rest = path[index + 1 :]
        if not rest:
            found = {value}
            break
        if field.is_cached(obj) and getattr(obj, field.name) is not None:
            obj = getattr(obj, field.name)
            passed.append((field.related_model._meta.concrete_model, value))
            continue
        found = _lookup(instance, field, value, rest)
        break
    else:
        return set()
    for key in passed:
        learned[key] = found
    return found


def _lookup(instance, field, value, rest):
    """The concept ids at the end of `rest`, starting from the row `value` of `field`'s
    model: one query, remembered for the rest of the transaction."""
    memo = _memo(instance)
    key = (field.related_model._meta.concrete_model, value)
    if memo is not None and key in memo:
        return memo[key]
    related = field.related_model._base_manager.using(instance._state.db or "default")
    found = related.filter(**{field.target_field.attname: value}).values_list(
        "__".join(f.name for f in rest), flat=True
    )
    found_ids = {pk for pk in found if pk is not None}
    if memo is not None:
        memo[key] = found_ids
    return found_ids


# --- Moving the version ----------------------------------------------------------------------


class _Bump:
    """The on_commit callback of one transaction: moves the versions of all concepts the
    transaction changed, in one UPDATE."""

    def __init__(self, using):
        self.using = using
        self.concept_ids = set()
        # (model, pk) → concept ids, so that a cascade of many rows below one measure asks
        # for the measure's concept once.
        self.paths = {}

    def __call__(self):
        move(self.concept_ids, using=self.using)


def move(concept_ids, *, using="default"):
    """Move the data version of these concepts now (normally done for you after commit)."""
    if not concept_ids:
        return
    _concept_model()._base_manager.using(using).filter(pk__in=concept_ids).update(
        data_version=Greatest(models.F("data_version") + 1, models.Value(time.time_ns() // 1000))
    )


def _pending_bump(using):
    """This transaction's callback, registered with on_commit once. A callback discarded by
    a rollback (of the transaction or the savepoint it was registered in) is no longer in
    the connection's list, so the next change registers a new one."""
    connection = connections[using]
    bump = getattr(connection, "_portal_data_version_bump", None)
    if bump is not None and _is_pending(connection, bump):
        return bump
    bump = _Bump(using)
    connection._portal_data_version_bump = bump
    return bump


def _memo(instance):
    """The lookups of this transaction's pending callback, if there is one."""
    connection = connections[instance._state.db or "default"]
    bump = getattr(connection, "_portal_data_version_bump", None)
    if bump is None or not _is_pending(connection, bump):
        return None
    return bump.paths


def _is_pending(connection, bump):
    return connection.in_atomic_block and any(
        entry[1] is bump for entry in connection.run_on_commit
    )


def changed(concept_ids, *, using="default"):
    """Note that these concepts changed: their version moves when the current transaction
    commits (at once outside a transaction)."""
    concept_ids = {pk for pk in concept_ids if pk is not None}
    if not concept_ids:
        return
    connection = connections[using]
    if not connection.in_atomic_block:
        move(concept_ids, using=using)
        return
    bump = _pending_bump(using)
    if not bump.concept_ids:
        transaction.on_commit(bump, using=using)
    bump.concept_ids |= concept_ids


def instance_changed(instance, *, using=None):
    """Note that this row changed (what the signals below do for every save and delete)."""
    if not concept_paths(type(instance)):
        return
    using = using or instance._state.db or router.db_for_write(type(instance))
    learned = {}
    changed(concept_ids_of(instance, learned), using=using)
    memo = _memo(instance)
    if memo is not None:
        memo.update(learned)


# --- Signals -----------------------------------------------------------------------------------


def _on_save(sender, instance, using=None, **kwargs):
    # Also for fixtures (raw): a concept's first version then comes from the clock, so a
    # database loaded afresh never repeats a version of the one before.
    instance_changed(instance, using=using)


def _on_pre_delete(sender, instance, using=None, **kwargs):
    # Before the row goes: its path to the concept may pass rows deleted with it.
    if sender._meta.concrete_model is _concept_model():
        return
    instance_changed(instance, using=using)


def _on_m2m(sender, instance, action, using=None, **kwargs):
    if action in ("post_add", "post_remove", "post_clear", "pre_clear"):
        instance_changed(instance, using=using)


def connect():
    """Listen to every model (called from ConceptConfig.ready)."""
    post_save.connect(_on_save, dispatch_uid="concept.dataversion.save")
    pre_delete.connect(_on_pre_delete, dispatch_uid="concept.dataversion.pre_delete")
    post_delete.connect(_on_pre_delete, dispatch_uid="concept.dataversion.post_delete")
    m2m_changed.connect(_on_m2m, dispatch_uid="concept.dataversion.m2m")
