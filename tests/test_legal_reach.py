"""Who can compel whom: links through incorporation, headquarters, control (transitively), staff, location."""

from __future__ import annotations

from threatlib.compile.legal import LegalReach, Link
from threatlib.library.schema import Nexus
from threatlib.spec import load_model


def test_links_follow_the_parent_chain_and_the_eu_layer(small_model_path, library) -> None:
    model, _ = load_model(small_model_path, library)
    reach = LegalReach(model, library)
    store = next(e for e in model.elements if e.id == "dublin-store")
    assert set(reach.element_links(store)) == {
        Link("IE", Nexus.incorporation, ("eu-sub",)),
        Link("IE", Nexus.headquarters, ("eu-sub",)),
        Link("IE", Nexus.location, ()),
        Link("EU", Nexus.incorporation, ("eu-sub",)),
        Link("EU", Nexus.headquarters, ("eu-sub",)),
        Link("EU", Nexus.location, ()),
        Link("KY", Nexus.control, ("eu-sub", "parent-co")),
        Link("CN", Nexus.control, ("eu-sub", "parent-co")),
    }
    assert reach.domestic == frozenset({"GB", "IE", "EU"})


def test_staff_links_do_not_pass_down_to_subsidiaries(small_model_path, library) -> None:
    model, _ = load_model(small_model_path, library)
    reach = LegalReach(model, library)
    assert Link("CN", Nexus.staff, ("parent-co",)) in reach.organisation_links("parent-co")
    assert not any(l.via is Nexus.staff for l in reach.organisation_links("eu-sub"))


def test_cn_reaches_the_irish_store_only_through_control(small_model_path, library) -> None:
    model, _ = load_model(small_model_path, library)
    reach = LegalReach(model, library)
    store = next(e for e in model.elements if e.id == "dublin-store")
    bases = reach.bases(reach.element_links(store), frozenset())
    assert {b.via for b in bases if b.jurisdiction == "CN"} == {Nexus.control}
    assert "cn-nil-art-7" in {b.provision_id for b in bases if b.jurisdiction == "CN"}
