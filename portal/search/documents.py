"""
What an indexed object contributes to the Whoosh index, and under which column names.

A document holds the object's primary key (``doc_id``), its content types (its model and every
indexed ancestor, so a search on ``Book`` also finds ``Novel`` documents) and one text column per
``SearchField``/``AutocompleteField``, related fields included (``authors__name``). Only text is
indexed: filters and ordering are evaluated by the database (see :mod:`portal.search.results`).

Column names follow the Elasticsearch backend: a field defined on a subclass of the root model is
prefixed with that subclass (``myapp_novel__setting``), so two subclasses may use one field name
for different content.
"""

from __future__ import annotations

import datetime

from django.db import models
from modelsearch.backends.base import get_model_root
from modelsearch.index import AutocompleteField, RelatedFields, SearchField
from whoosh.fields import ID, KEYWORD, TEXT, Schema

from .analysis import VALUE_SEPARATOR, ChineseTokenizer

#: Stored, unique, sortable primary key of the indexed object (as a string).
ID_FIELD = "doc_id"
#: Space-separated ``app_label.model`` of the object's model and all its indexed ancestors.
CONTENT_TYPES_FIELD = "content_types"
#: Prefix of the per-SearchField text columns.
TEXT_PREFIX = "t_"
#: Prefix of the per-AutocompleteField text columns.
AUTOCOMPLETE_PREFIX = "a_"


def build_schema() -> Schema:
    """
    Return the schema every generation is created with.

    Text columns are dynamic (``t_*``, ``a_*``) so adding a ``SearchField`` to a model needs a
    rebuild to fill it, but never a schema migration.
    """
    schema = Schema(
        **{
            ID_FIELD: ID(stored=True, unique=True, sortable=True),
            CONTENT_TYPES_FIELD: KEYWORD(lowercase=False, scorable=False),
        }
    )
    text = TEXT(analyzer=ChineseTokenizer(), phrase=True)
    schema.add(TEXT_PREFIX + "*", text, glob=True)
    schema.add(AUTOCOMPLETE_PREFIX + "*", text, glob=True)
    return schema


def content_type_label(model) -> str:
    return model._meta.label_lower


def content_type_labels(model) -> list[str]:
    """The content type of ``model`` and of each indexed model it inherits from."""
    labels = []
    while model is not None:
        labels.append(content_type_label(model))
        model = model.indexed_get_parent()
    return labels


def _column_stem(model, field) -> str:
    """
    Column name (without prefix) of a top-level ``search_fields`` entry of ``model``.

    Fields defined below the root model are prefixed with their defining model, so that two
    subclasses may reuse a field name for different content without sharing a column.
    """
    definition_model = field.get_definition_model(model)
    root_model = get_model_root(model)
    if definition_model is None or definition_model is root_model:
        return field.field_name
    owner = f"{definition_model._meta.app_label}_{definition_model.__name__.lower()}"
    return f"{owner}__{field.field_name}"


def text_columns(model) -> dict[str, float]:
    """Map each full-text column of ``model`` (related fields included) to its boost."""
    columns: dict[str, float] = {}
    _collect_columns(model, model.get_search_fields(), None, SearchField, TEXT_PREFIX, columns)
    return columns


def autocomplete_columns(model) -> dict[str, float]:
    """Map each autocomplete column of ``model`` (related fields included) to boost 1."""
    columns: dict[str, float] = {}
    _collect_columns(
        model, model.get_search_fields(), None, AutocompleteField, AUTOCOMPLETE_PREFIX, columns
    )
    return columns


def _collect_columns(model, fields, stem, field_class, prefix, columns):
    for field in fields:
        field_stem = _column_stem(model, field) if stem is None else f"{stem}__{field.field_name}"
        if isinstance(field, RelatedFields):
            related_model = field.get_field(model).related_model
            _collect_columns(related_model, field.fields, field_stem, field_class, prefix, columns)
        elif isinstance(field, field_class):
            boost = float(getattr(field, "boost", None) or 1.0)
            columns[prefix + field_stem] = boost


def column_for_field(model, field, prefix: str) -> str:
    """Column holding one top-level ``SearchField``/``AutocompleteField`` of ``model``."""
    return prefix + _column_stem(model, field)


def _text_values(value) -> list[str]:
    """Flatten a field value into the strings to index."""
    if value is None:
        return []
    if isinstance(value, str):
        return [value] if value.strip() else []
    if isinstance(value, (models.Manager, models.QuerySet)):
        return [str(item) for item in value.all()]
    if isinstance(value, (datetime.date, datetime.time)):
        return [value.isoformat()]
    if isinstance(value, (list, tuple, set, frozenset)):
        return [text for item in value for text in _text_values(item)]
    return [str(value)]


def _related_objects(value) -> list:
    if value is None:
        return []
    if isinstance(value, (models.Manager, models.QuerySet)):
        return list(value.all())
    if isinstance(value, models.Model):
        return [value]
    raise ValueError(f"Unexpected value for RelatedFields: {value!r}")


def build_document(model, obj) -> dict[str, str]:
    """Return the Whoosh document for ``obj`` indexed as an instance of ``model``."""
    texts: dict[str, list[str]] = {}
    _collect_texts(model, obj, model.get_search_fields(), None, texts)
    document = {
        ID_FIELD: str(obj.pk),
        CONTENT_TYPES_FIELD: " ".join(content_type_labels(model)),
    }
    for column, values in texts.items():
        if values:
            document[column] = VALUE_SEPARATOR.join(values)
    return document


def _collect_texts(model, obj, fields, stem, texts):
    for field in fields:
        field_stem = _column_stem(model, field) if stem is None else f"{stem}__{field.field_name}"
        if isinstance(field, RelatedFields):
            related_model = field.get_field(model).related_model
            for related in _related_objects(field.get_value(obj)):
                _collect_texts(related_model, related, field.fields, field_stem, texts)
        elif isinstance(field, SearchField):
            texts.setdefault(TEXT_PREFIX + field_stem, []).extend(
                _text_values(field.get_value(obj))
            )
        elif isinstance(field, AutocompleteField):
            texts.setdefault(AUTOCOMPLETE_PREFIX + field_stem, []).extend(
                _text_values(field.get_value(obj))
            )
