"""check-sources: fetch every address a model cites and say which are dead, moved or changed.

For a user with internet access, before a model is published. Each address is fetched once (GET, redirects
followed, a timeout per request, a bounded number at a time, with httpx). What counts as a change:

- the page's title no longer contains the words of the source's recorded `title` (a soft signal: "title differs");
- with `--digests FILE`, the SHA-256 of the page's body differs from the one recorded for that address in FILE by
  an earlier run with `--record` (a hard signal: "content changed"). A page whose body changes on every visit
  (adverts, dates) shows up here too; that is why it is opt-in.

A dead page gets the address of the Wayback Machine's copy nearest the source's date, in the form the Internet
Archive documents (web.archive.org/web/<timestamp>/<address>); nothing is fetched from the archive.
"""

from __future__ import annotations

import asyncio
import hashlib
import html
import json
import re
from dataclasses import dataclass
from pathlib import Path

import httpx

from threatlib.documents.common import Source

USER_AGENT = "threatlib-check-sources"
# Sites that refuse robots answer with these; the page may well be alive, so it is "refused", not dead.
REFUSING = frozenset({401, 403, 429})
# Words too common in titles to show that a page is the same document.
STOPWORDS = frozenset("a an and as at by for from in into is it of on or the to with".split())


@dataclass(frozen=True)
class Address:
    """One cited address and where the model writes it."""

    source: Source
    file: str
    line: int
    column: int


@dataclass(frozen=True)
class Outcome:
    address: Address
    state: str  # ok, moved, title_differs, content_changed, refused, dead, unreachable
    detail: str
    digest: str | None = None

    @property
    def problem(self) -> bool:
        return self.state not in ("ok", "moved")

    def line(self) -> str:
        a = self.address
        text = f"{a.file}:{a.line}:{a.column}: source '{a.source.id}' {a.source.url}: {self.detail}"
        if self.state in ("dead", "unreachable", "content_changed", "title_differs"):
            text += f"; archived copy: {wayback_address(a.source)}"
        return text


def wayback_address(source: Source) -> str:
    """The Wayback Machine's address for the copy nearest the source's date (the archive redirects to it)."""
    timestamp = re.sub(r"\D", "", source.date) or "2"
    return f"https://web.archive.org/web/{timestamp}/{source.url}"


def page_title(body: str) -> str:
    """The page's <title>, or its og:title where a site leaves the title generic."""
    found = re.search(r"<title[^>]*>(.*?)</title>", body, re.IGNORECASE | re.DOTALL)
    og = re.search(r"""<meta[^>]+property=["']og:title["'][^>]+content=["']([^"']*)["']""", body, re.IGNORECASE)
    parts = [html.unescape(m.group(1)) for m in (found, og) if m]
    return " ".join(" ".join(parts).split())


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.casefold()) if w not in STOPWORDS and len(w) > 1}


def title_matches(recorded: str, fetched: str) -> bool:
    """At least two thirds of the recorded title's words appear in the page's title."""
    wanted = _words(recorded)
    return not wanted or len(wanted & _words(fetched)) * 3 >= len(wanted) * 2


@dataclass(frozen=True)
class Fetched:
    status: int | None  # None when nothing came back
    error: str
    final_url: str
    digest: str | None
    title: str


async def _fetch(client: httpx.AsyncClient, gate: asyncio.Semaphore, url: str) -> Fetched:
    async with gate:
        try:
            response = await client.get(url)
        except httpx.TimeoutException:
            return Fetched(None, "no answer before the timeout", url, None, "")
        except httpx.HTTPError as exc:
            return Fetched(None, f"cannot be fetched ({type(exc).__name__})", url, None, "")
    is_html = "html" in response.headers.get("content-type", "")
    return Fetched(response.status_code, "", str(response.url), hashlib.sha256(response.content).hexdigest(),
                   page_title(response.text) if is_html else "")


def _judge(address: Address, fetched: Fetched, digests: dict[str, str]) -> Outcome:
    url = address.source.url
    if fetched.status is None:
        return Outcome(address, "unreachable", fetched.error)
    if fetched.status in REFUSING:
        return Outcome(address, "refused", f"the site refused the request (HTTP {fetched.status}); check it in a browser")
    if fetched.status >= 400:
        return Outcome(address, "dead", f"dead (HTTP {fetched.status})")
    if url in digests and digests[url] != fetched.digest:
        return Outcome(address, "content_changed", "content changed since the recorded digest", fetched.digest)
    moved = f"moved to {fetched.final_url}, and " if fetched.final_url != url else ""
    if fetched.title and not title_matches(address.source.title, fetched.title):
        return Outcome(address, "title_differs", f"{moved}the page's title is now '{fetched.title[:120]}'", fetched.digest)
    if moved:
        return Outcome(address, "moved", f"moved to {fetched.final_url}", fetched.digest)
    return Outcome(address, "ok", "ok", fetched.digest)


async def _check_all(addresses: list[Address], concurrency: int, timeout: float, digests: dict[str, str]) -> list[Outcome]:
    gate = asyncio.Semaphore(concurrency)
    limits = httpx.Limits(max_connections=concurrency)
    urls = list(dict.fromkeys(a.source.url for a in addresses))
    async with httpx.AsyncClient(follow_redirects=True, timeout=httpx.Timeout(timeout), limits=limits,
                                 headers={"User-Agent": USER_AGENT}, max_redirects=10) as client:
        fetched = dict(zip(urls, await asyncio.gather(*(_fetch(client, gate, u) for u in urls)), strict=True))
    return [_judge(a, fetched[a.source.url], digests) for a in addresses]


def check_addresses(addresses: list[Address], *, concurrency: int = 8, timeout: float = 15.0,
                    digests: dict[str, str] | None = None) -> list[Outcome]:
    """Fetch each distinct address once; outcomes in the order of `addresses`."""
    return asyncio.run(_check_all(addresses, concurrency, timeout, digests or {}))


def model_addresses(model, doc) -> list[Address]:
    """Every source of the model with an address, where the address is written."""
    found = []
    for i, source in enumerate(model.sources):
        if source.url:
            line, column = doc.positions.of_value(("sources", i, "url"))
            found.append(Address(source, doc.file, line, column))
    return found


def read_digests(path: Path) -> dict[str, str]:
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def write_digests(path: Path, outcomes: list[Outcome], previous: dict[str, str]) -> None:
    """Keep the digests of addresses not fetched this time; sorted, so the file diffs well."""
    merged = dict(previous)
    merged.update({o.address.source.url: o.digest for o in outcomes if o.digest})
    path.write_text(json.dumps(dict(sorted(merged.items())), indent=2) + "\n", encoding="utf-8")
