"""The address in the QR code: what phones can reach, found without asking the facilitator when
the machine leaves no doubt."""

from __future__ import annotations

import pytest

from workshop.access import net

LOCAL = "http://localhost:8501/projector?w=ABC234"


def test_a_configured_public_address_wins() -> None:
    base = net.join_base(
        configured="https://ws.example.com/", chosen="http://10.0.0.2:8501", projector_url=LOCAL
    )

    assert base == "https://ws.example.com"


def test_the_facilitators_choice_comes_next() -> None:
    base = net.join_base(
        configured="", chosen="http://10.0.0.2:8501", projector_url=LOCAL, lan=["http://10.0.0.9:8501"]
    )

    assert base == "http://10.0.0.2:8501"


def test_a_projector_on_localhost_with_one_network_address_uses_it() -> None:
    base = net.join_base(configured="", chosen="", projector_url=LOCAL, lan=["http://192.168.1.20:8501"])

    assert net.join_url(base, "ABC234") == "http://192.168.1.20:8501/join?code=ABC234"


@pytest.mark.parametrize("lan", [[], ["http://192.168.1.20:8501", "http://10.8.0.3:8501"]])
def test_with_no_or_several_network_addresses_the_facilitator_chooses(lan) -> None:  # type: ignore[no-untyped-def]
    assert net.join_base(configured="", chosen="", projector_url=LOCAL, lan=lan) == "http://localhost:8501"


def test_a_projector_opened_by_its_network_address_keeps_it() -> None:
    url = "http://192.168.1.20:8501/projector?w=ABC234"

    assert net.join_base(configured="", chosen="", projector_url=url, lan=["http://10.8.0.3:8501"]) == (
        "http://192.168.1.20:8501"
    )


def test_the_network_address_keeps_the_projectors_port_and_scheme() -> None:
    bases = net.lan_bases("https://localhost:8443/projector")

    assert all(b.startswith("https://") and b.endswith(":8443") for b in bases)
