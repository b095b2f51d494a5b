"""Generate a synthetic estate of N assets: organisations in several legal orders, nested boundaries, flows.

Deterministic for a given N, so timings compare like with like.
"""

from __future__ import annotations

import random

CODES = ["GB", "IE", "US", "CN", "SG", "NO"]
KINDS = ["process", "server", "datastore", "device", "external"]


def synthetic_model(assets: int, seed: int = 7) -> str:
    rng = random.Random(seed)
    orgs = max(4, assets // 50)
    boundaries = max(3, assets // 20)
    lines = [
        "metadata:",
        f"  id: bench-{assets}",
        f"  name: Synthetic estate of {assets} assets",
        "  description: Generated for the benchmark.",
        "  scope: Everything generated.",
        "  as_of: 2026-11-01",
        "  data_subjects_in: [GB, IE]",
        "sources:",
        "  - {id: bench, title: Benchmark, publisher: threatlib, date: '2026', kind: primary}",
        "organisations:",
    ]
    for i in range(orgs):
        parent = f", parent: org-{rng.randrange(i)}, control: owned" if i and rng.random() < 0.7 else ""
        code = CODES[i % len(CODES)]
        staff = CODES[(i + 3) % len(CODES)]
        lines.append(f"  - {{id: org-{i}, name: Organisation {i}, incorporated_in: {code}, headquarters: {code}{parent}, "
                     f"staff_access_from: [{staff}], sectors: [online_platform], "
                     "claims: [{statement: Generated., status: confirmed, sources: [bench]}]}")
    lines.append("data:")
    for i in range(12):
        lines.append(f"  - {{id: data-{i}, name: Data {i}, classification: restricted, personal: {str(i % 3 != 0).lower()}, "
                     f"children: {str(i % 4 == 0).lower()}}}")
    lines.append("boundaries:")
    for i in range(boundaries):
        parent = f", parent: zone-{rng.randrange(i)}" if i and rng.random() < 0.6 else ""
        lines.append(f"  - {{id: zone-{i}, name: Zone {i}{parent}}}")
    lines.append("elements:")
    for i in range(assets):
        kind = KINDS[i % len(KINDS)]
        stores = f", stores: [data-{i % 12}, data-{(i + 5) % 12}]" if kind == "datastore" else ""
        lines.append(f"  - {{id: asset-{i}, name: Asset {i}, kind: {kind}, operator: org-{rng.randrange(orgs)}, "
                     f"location: {CODES[rng.randrange(len(CODES))]}, boundary: zone-{rng.randrange(boundaries)}{stores}}}")
    lines.append("flows:")
    for i in range(assets):
        source, sink = rng.randrange(assets), rng.randrange(assets)
        if source == sink:
            sink = (sink + 1) % assets
        remote = ", remote_access: true" if rng.random() < 0.05 else ""
        lines.append(f"  - {{id: flow-{i}, name: Flow {i}, source: asset-{source}, sink: asset-{sink}, "
                     f"data: [data-{i % 12}, data-{(i * 7) % 12}]{remote}}}")
    return "\n".join(lines) + "\n"
