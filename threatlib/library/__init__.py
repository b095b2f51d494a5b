"""The library: jurisdictions (laws, powers, safeguards) and threats, shipped as data beside this file,
plus any user libraries: folders in the same layout (jurisdictions/CODE.yaml, threats/FAMILY/ID/threat.yaml)
given with `--library DIR` or a model's `library:` list.

Every file is validated on load, a user's exactly as a built-in one; a threat whose condition leaves the
allowed language is refused with its position, before any of it runs. An entry whose id is already taken
by an earlier library (the built-in one first, then user libraries in the order given) is refused unless
its file says `overrides: true`; each entry remembers which library it came from.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel

from threatlib.documents.common import Source
from threatlib.documents.sources import library_claims_basis
from threatlib.documents.validate import dotted, validate_document
from threatlib.documents.yaml_source import Document, parse_yaml, read_regular_file
from threatlib.errors import InputError, Problem
from threatlib.library import cache
from threatlib.library.conditions import ConditionError, compile_condition
from threatlib.library.schema import Jurisdiction, Threat

LIBRARY_DIR = Path(__file__).parent
BUILT_IN = "built-in"  # how the package's own library is named wherever an entry's library is shown


@dataclass(frozen=True)
class LoadedThreat:
    threat: Threat
    folder: Path
    origin: str = BUILT_IN  # the library it came from: "built-in", or the user library's folder as given
    # No compiled condition is kept: it is checked on load and compiled where it runs (compile.pytm_model), as a
    # code object cannot be kept in the cache without trusting the cache to run it.


@dataclass(frozen=True)
class Library:
    jurisdictions: dict[str, Jurisdiction]
    threats: tuple[LoadedThreat, ...]
    sources: dict[str, Source]  # every source the library cites, by id
    origins: dict[str, str] = field(default_factory=dict)  # jurisdiction code -> the library it came from
    root: Path = LIBRARY_DIR
    user: tuple[Path, ...] = ()  # user library folders, in the order they were given

    @property
    def codes(self) -> frozenset[str]:
        return frozenset(self.jurisdictions)

    def origin(self, code: str) -> str:
        return self.origins.get(code, BUILT_IN)

    def provision_index(self) -> dict[str, tuple[Jurisdiction, object, object]]:
        """Provision id -> (jurisdiction, law, provision)."""
        return {p.id: (j, law, p) for j in self.jurisdictions.values() for law in j.laws for p in law.provisions}

    def with_user(self, folders: Sequence[Path]) -> Library:
        """This library with more user folders after its own (a model's `library:` list); the same folders
        give the same Library object, so a model's library is loaded once however often it is asked for."""
        known = {_key(p) for p in self.user}
        extra = tuple(p for p in folders if _key(p) not in known)
        if not extra:
            return self
        return _load_cached(self.root, self.user + extra)


def _key(path: Path) -> str:
    return str(path.resolve())


def load_library(root: Path = LIBRARY_DIR, user: Sequence[Path] = ()) -> Library:
    """The library at `root` (the package's own by default) and the user libraries after it, or InputError.

    A library loaded before from the same file contents is taken from the cache (threatlib.library.cache)."""
    seen: set[str] = set()
    user = tuple(p for p in user if not (_key(p) in seen or seen.add(_key(p))))  # a folder given twice counts once
    problems: list[Problem] = []
    layers = [(root, BUILT_IN)] + [(p, str(p)) for p in user]
    for folder, origin in layers[1:]:
        if not folder.is_dir():
            problems.append(Problem(origin, 1, 1, "library folder does not exist"))
        elif not (folder / "jurisdictions").is_dir() and not (folder / "threats").is_dir():
            problems.append(Problem(origin, 1, 1, "a library folder holds jurisdictions/CODE.yaml and/or "
                                                  "threats/FAMILY/ID/threat.yaml; this one has neither folder"))
    if problems:
        raise InputError(problems)
    files = [_LayerFiles(folder, origin, _read_files(folder / "jurisdictions", "*.yaml"),
                         _read_files(folder / "threats", "*/*/threat.yaml")) for folder, origin in layers]
    entry = _cache_entry(layers)
    key = _cache_key(files)
    library = cache.fetch(entry, key, Library) if key is not None else None
    if library is None:
        library = _load(files, root, user)
        if key is not None:
            cache.store(entry, key, library)
    return library


@dataclass(frozen=True)
class _LayerFiles:
    """One library's files as read: each path with its bytes, or the problem reading it gave."""

    folder: Path
    origin: str
    jurisdictions: list[tuple[Path, bytes | InputError]]
    threats: list[tuple[Path, bytes | InputError]]


def _read_files(folder: Path, pattern: str) -> list[tuple[Path, bytes | InputError]]:
    files = []
    for path in sorted(folder.glob(pattern)):
        try:
            files.append((path, read_regular_file(path, _display(path))))
        except InputError as exc:
            files.append((path, exc))
    return files


def _cache_entry(layers: list[tuple[Path, str]]) -> str:
    """One cache entry for each list of library folders, wherever they are named from: the next load of the same
    folders replaces it."""
    folders = "\0".join(_key(folder) for folder, _ in layers).encode("utf-8", "surrogateescape")
    return f"library-{hashlib.blake2b(folders, digest_size=16).hexdigest()}"


def _cache_key(layers: list[_LayerFiles]) -> bytes | None:
    """What the loaded library is made from: every file's path and contents, in each library as given; None when
    a file could not be read, as the library will not load."""
    key = cache.Key()
    for layer in layers:
        key.add(layer.origin)
        key.add(str(layer.folder))
        for files in (layer.jurisdictions, layer.threats):
            key.add(str(len(files)))
            for path, raw in files:
                if isinstance(raw, InputError):
                    return None
                key.add(str(path))
                key.add(raw)
    return key.digest()


def _load(layers: list[_LayerFiles], root: Path, user: tuple[Path, ...]) -> Library:
    problems: list[Problem] = []
    jurisdictions: dict[str, tuple[Jurisdiction, Document, str]] = {}
    threats: dict[str, tuple[LoadedThreat, Document]] = {}
    for layer in layers:
        origin = layer.origin
        for jurisdiction, doc in _read_jurisdictions(layer.jurisdictions, problems):
            _layer(jurisdictions, jurisdiction.id, (jurisdiction, doc, origin), jurisdiction.overrides, doc, origin,
                   "jurisdiction", problems)
        for loaded, doc in _read_threats(layer.threats, origin, problems):
            _layer(threats, loaded.threat.id, (loaded, doc), loaded.threat.overrides, doc, origin, "threat", problems)
    sources: dict[str, tuple[Source, str]] = {}
    _check_jurisdictions(jurisdictions, problems, sources)
    for loaded, doc in threats.values():
        _register_sources(doc, loaded.threat, (), sources, problems)
    # A confirmed claim needs a primary source or two independent ones; checked once every source is known.
    by_id = {k: v for k, (v, _) in sources.items()}
    for jurisdiction, doc, _ in jurisdictions.values():
        problems += library_claims_basis(jurisdiction, doc, by_id)
    for loaded, doc in threats.values():
        problems += library_claims_basis(loaded.threat, doc, by_id)
    if problems:
        raise InputError(problems)
    library = Library({code: j for code, (j, _, _) in sorted(jurisdictions.items())},
                      tuple(sorted((t for t, _ in threats.values()), key=lambda t: t.threat.id)),
                      {k: v for k, (v, _) in sorted(sources.items())},
                      {code: origin for code, (_, _, origin) in sorted(jurisdictions.items()) if origin != BUILT_IN},
                      root, user)
    return library


@lru_cache(maxsize=16)
def _load_cached(root: Path, user: tuple[Path, ...]) -> Library:
    return load_library(root, user)


def _layer(found: dict, entry_id: str, entry, overrides: bool, doc: Document, origin: str, what: str,
           problems: list[Problem]) -> None:
    """Add one entry over the earlier libraries: a collision must be declared, and a declaration must collide."""
    earlier = found.get(entry_id)
    if earlier is not None and not overrides:
        where = earlier[-1] if what == "jurisdiction" else earlier[0].origin
        problems.append(doc.problem(("id",), f"{what} '{entry_id}' is already defined by the {_named(where)} library; "
                                             f"add 'overrides: true' to this file to replace it, or choose another id"))
        return
    if earlier is None and overrides:
        problems.append(doc.problem(("overrides",), f"{what} '{entry_id}' says 'overrides: true' but no earlier "
                                                    f"library defines '{entry_id}'; remove the key"))
        return
    found[entry_id] = entry


def _named(origin: str) -> str:
    return origin if origin == BUILT_IN else f"'{origin}'"


def _register_sources(doc, value, path: tuple, sources: dict[str, tuple[Source, str]], problems: list[Problem]) -> None:
    """Walk a validated library entry; one source id must always describe the same source."""
    if isinstance(value, Source):
        known = sources.setdefault(value.id, (value, doc.file))
        if known[0] != value:
            problems.append(doc.problem(path + ("id",), f"source id '{value.id}' already names a different source in {known[1]}"))
    elif isinstance(value, BaseModel):
        for name in type(value).model_fields:
            _register_sources(doc, getattr(value, name), path + (name,), sources, problems)
    elif isinstance(value, (list, tuple)):
        for i, item in enumerate(value):
            _register_sources(doc, item, path + (i,), sources, problems)


def _read_jurisdictions(files: list[tuple[Path, bytes | InputError]], problems: list[Problem]) -> list[tuple[Jurisdiction, Document]]:
    found = []
    for path, raw in files:
        try:
            doc, jurisdiction = _read(path, raw, Jurisdiction)
        except InputError as exc:
            problems += exc.problems
            continue
        if jurisdiction.id != path.stem:
            problems.append(doc.problem(("id",), f"jurisdiction id '{jurisdiction.id}' must match its file name '{path.stem}'"))
            continue
        found.append((jurisdiction, doc))
    return found


def _check_jurisdictions(jurisdictions: dict, problems: list[Problem], sources) -> None:
    """Checks across the jurisdictions finally in the library: ids unique, authorities and part_of resolve."""
    seen_ids: dict[str, str] = {}
    for jurisdiction, doc, _ in jurisdictions.values():
        _register_sources(doc, jurisdiction, (), sources, problems)
        authorities = {a.id for a in jurisdiction.authorities}
        ids = [("authorities", i, a.id) for i, a in enumerate(jurisdiction.authorities)]
        for li, law in enumerate(jurisdiction.laws):
            ids.append(("laws", li, law.id))
            for pi, provision in enumerate(law.provisions):
                ids.append(("laws", li, "provisions", pi, provision.id))
                for ai, authority in enumerate(provision.authorities):
                    if authority not in authorities:
                        problems.append(doc.problem(("laws", li, "provisions", pi, "authorities", ai),
                                                    f"no authority '{authority}' in {jurisdiction.id}"))
        for *path_, item_id in ids:
            if item_id in seen_ids:
                problems.append(doc.problem(tuple(path_) + ("id",), f"id '{item_id}' is already used in {seen_ids[item_id]}"))
            seen_ids[item_id] = doc.file
        if jurisdiction.part_of and jurisdiction.part_of not in jurisdictions:
            problems.append(doc.problem(("part_of",), f"part_of '{jurisdiction.part_of}' is not in the library"))


def _read_threats(files: list[tuple[Path, bytes | InputError]], origin: str,
                  problems: list[Problem]) -> list[tuple[LoadedThreat, Document]]:
    loaded = []
    for path, raw in files:
        try:
            doc, threat = _read(path, raw, Threat)
        except InputError as exc:
            problems += exc.problems
            continue
        if threat.id != path.parent.name or threat.family != path.parent.parent.name:
            where = f"{path.parent.parent.name}/{path.parent.name}/"
            problems.append(doc.problem(("id",), f"threat {threat.id} of family '{threat.family}' must live in "
                                                 f"threats/{threat.family}/{threat.id}/, not {where}"))
            continue
        try:
            compile_condition(threat.condition, threat.id)
        except ConditionError as exc:
            problems.append(doc.problem(("condition",), f"threat {threat.id} refused: {exc}"))
            continue
        loaded.append((LoadedThreat(threat, path.parent, origin), doc))
    return loaded


def _read(path: Path, raw: bytes | InputError, schema):
    """Parse and validate one library file as read; a file started by `threatlib new-jurisdiction` or `new-threat`
    lists each value still to fill in, as a started model does."""
    from threatlib.documents.placeholders import placeholders, unmark

    if isinstance(raw, InputError):
        raise raw
    doc = parse_yaml(raw, _display(path))
    marked = placeholders(doc.data)
    if marked:
        doc = Document(doc.file, unmark(doc.data), doc.positions)
    entry = validate_document(doc, schema)
    if marked:
        raise InputError([doc.problem(where, f"left to fill in: {dotted(where)} is still a placeholder") for where, _ in marked])
    return doc, entry


def _display(path: Path) -> str:
    """Library paths are shown relative to the package, so messages do not depend on where it is installed."""
    try:
        return str(Path("threatlib/library") / path.relative_to(LIBRARY_DIR))
    except ValueError:
        return str(path)
