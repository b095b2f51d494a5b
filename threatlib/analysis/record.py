"""The base of the analysis's records: frozen, strict pydantic models, and a way to make them from values the
analysis made itself without validating them again."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Record(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    @classmethod
    def trusted(cls, **values):
        """A record from values the analysis made itself, each already of its field's type (enums as enums, records
        as records), without pydantic's validation: validating a large estate's hundreds of thousands of findings
        was a third of its analysis. Never for user input. The fields keep their declared order, as validation
        gives them, since the JSON follows it; a test checks that validation gives back the same records."""
        return cls.from_template(cls.template(), **values)

    @classmethod
    def template(cls, **shared) -> dict:
        """The fields in their order, with their defaults and the values many trusted records share."""
        fields = _TEMPLATES.get(cls)
        if fields is None:
            fields = _TEMPLATES[cls] = {name: f.default for name, f in cls.model_fields.items()}
        return {**fields, **shared} if shared else fields

    @classmethod
    def from_template(cls, template: dict, **values):
        """A trusted record (see trusted) of a template's values and these."""
        record = cls.__new__(cls)
        object.__setattr__(record, "__dict__", {**template, **values})
        # Every field counts as set: one set per class, which nothing can grow (it names every field already).
        names = _ALL_FIELDS.get(cls) or _ALL_FIELDS.setdefault(cls, set(cls.model_fields))
        object.__setattr__(record, "__pydantic_fields_set__", names)
        object.__setattr__(record, "__pydantic_extra__", None)
        object.__setattr__(record, "__pydantic_private__", None)
        return record


_TEMPLATES: dict[type, dict] = {}  # per record class: its fields in order, with their defaults
_ALL_FIELDS: dict[type, set[str]] = {}
