"""The base of the analysis's records: frozen, strict pydantic models, and a way to make them from values the
analysis made itself without validating them again."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from pydantic import BaseModel, ConfigDict


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    @classmethod
    def trusted(cls, **values):
        """A record from values the analysis made itself, each already of its field's type (enums as enums, records
        as records), without pydantic's validation: validating a large estate's hundreds of thousands of findings
        was a third of its analysis. Never for user input. The fields keep their declared order, as validation
        gives them, since the JSON follows it; a test checks that validation gives back the same records."""
        return cls.from_fields({**_defaults(cls), **values})

    @classmethod
    def template(cls, **shared) -> dict:
        """The fields in their order, with their defaults and the values many trusted records share."""
        fields = _defaults(cls)
        return {**fields, **shared} if shared else fields

    @classmethod
    def from_template(cls, template: dict, **values):
        """A trusted record (see trusted) of a template's values and these."""
        return cls.from_fields({**template, **values})

    @classmethod
    def from_fields(cls, fields: dict):
        """A trusted record (see trusted) of every field's value, in the fields' order (a template's, filled in):
        for the hundreds of thousands of findings of a large estate, made without keyword arguments."""
        return _maker(cls)(fields)

    @classmethod
    def maker(cls) -> Callable[[dict], Record]:
        """from_fields as a plain function of the fields, for a loop that makes very many records of the class:
        without the class method's own lookups on each call."""
        return _maker(cls)


@cache
def _maker(cls: type[Record]) -> Callable[[dict], Record]:
    new, field_names = cls.__new__, _field_names(cls)

    def make(fields: dict) -> Record:
        record = new(cls)
        _set_dict(record, fields)
        # Every field counts as set: one set per class, which nothing can grow (it names every field already).
        _set_fields_set(record, field_names)
        _set_extra(record, None)
        _set_private(record, None)
        return record

    return make


# Written past pydantic's own __setattr__, which refuses to write a frozen record, by the slots' own descriptors:
# a large estate makes hundreds of thousands of findings, and these are about half as costly as object.__setattr__.
_set_dict = BaseModel.__dict__["__dict__"].__set__
_set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
_set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
_set_private = BaseModel.__dict__["__pydantic_private__"].__set__


@cache
def _defaults(cls: type[Record]) -> dict:
    """A record class's fields in their order, with their defaults: worked out once per class."""
    return {name: f.default for name, f in cls.model_fields.items()}


@cache
def _field_names(cls: type[Record]) -> set[str]:
    return set(cls.model_fields)
