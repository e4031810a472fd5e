"""Shipments: the same goods priced on every mode, from a container's share to an air waybill's chargeable kg.

Every figure of a route is given for one loaded 40-ft container (FEU), the unit rail, ferry and sea freight are
sold in. Air freight is sold per chargeable kg: the greater of the cargo's mass and its volume at the IATA
volumetric factor (6,000 cm³ per kg, 166.67 kg per m³). To compare a planner's shipment ("2 t, 12 m³") on all of
them:

- on container modes the shipment takes a share of a container, the greater of its mass over a loaded FEU's cargo
  and its volume over the FEU's internal volume (as a consolidator prices a part load, by weight or measure), or
  whole containers when it is given in FEU;
- on air legs and at airports it pays for its chargeable kg, and emits per tonne-km of its own mass.

The reference load — what "one loaded FEU" carries — comes from ``conversions.csv`` (``tonnes_per_feu_load``,
``m3_per_feu``, ``air_volumetric_kg_per_m3``), each with its source.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from .errors import CorridorError

if TYPE_CHECKING:
    from .network import Network
    from .route import Route

#: The stop kinds that belong to a flight (priced per chargeable kg like the air leg they serve).
AIR_STOPS = ("air_handling", "flight_wait")
#: The conversions (conversions.csv) that say what one loaded FEU carries.
REFERENCE_LOAD = ("tonnes_per_feu_load", "m3_per_feu", "air_volumetric_kg_per_m3")


@dataclass(frozen=True)
class Load:
    """A quantity of cargo: its mass (t) and volume (m³), and the volumetric factor air freight is charged by."""

    tonnes: float
    m3: float
    volumetric_kg_per_m3: float

    @property
    def chargeable_kg(self) -> float:
        """Return the air chargeable weight: the greater of the mass and the volumetric weight, in kg."""
        return max(self.tonnes * 1000.0, self.m3 * self.volumetric_kg_per_m3)


def reference_load(network: Network) -> Load:
    """Return one loaded FEU's cargo as the network's ``conversions.csv`` states it.

    Raises CorridorError naming the missing conversion: a dataset with air rates per kg or emission factors per
    tonne-km needs it to give its figures per FEU.
    """
    conversions = network.queues.conversions
    missing = [k for k in REFERENCE_LOAD if k not in conversions]
    if missing:
        raise CorridorError(f"conversions.csv lacks {', '.join(missing)}: air rates per kg and emissions per "
                            "tonne-km need one loaded FEU's cargo to be priced per FEU")
    return Load(*(conversions[k] for k in REFERENCE_LOAD))


@dataclass(frozen=True)
class Shipment:
    """What is shipped: a mass and a volume, or a number of full 40-ft containers (``feu``)."""

    tonnes: float = 0.0
    m3: float = 0.0
    feu: float | None = None

    def __post_init__(self) -> None:
        for name in ("tonnes", "m3"):
            value = getattr(self, name)
            if not (isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)
                    and value >= 0):
                raise CorridorError(f"a shipment's {name} must be a finite number ≥ 0, got {value!r}")
        if self.feu is not None and not (math.isfinite(self.feu) and self.feu > 0):
            raise CorridorError(f"a shipment's number of containers must be > 0, got {self.feu!r}")
        if self.feu is None and self.tonnes == 0 and self.m3 == 0:
            raise CorridorError("a shipment needs a mass, a volume or a number of containers")

    @classmethod
    def parse(cls, text: str) -> Shipment:
        """Return a shipment from text such as ``"2 t, 12 m3"``, ``"800 kg"``, ``"12 m³, 3.5 t"`` or ``"2 FEU"``.

        Raises CorridorError naming the accepted forms.
        """
        tonnes = m3 = 0.0
        feu = None
        parts = [p.strip() for p in re.split(r"[,;]", str(text)) if p.strip()]
        if not parts:
            raise CorridorError(_FORMS.format(text=text))
        for part in parts:
            match = re.fullmatch(r"(\d+(?:\.\d+)?)\s*(t|tonnes?|kg|m3|m³|cbm|feu|x\s*40\s*ft|40ft)", part.lower())
            if match is None:
                raise CorridorError(_FORMS.format(text=text))
            value, unit = float(match.group(1)), match.group(2)
            if unit in ("t", "tonne", "tonnes"):
                tonnes += value
            elif unit == "kg":
                tonnes += value / 1000.0
            elif unit in ("m3", "m³", "cbm"):
                m3 += value
            else:
                feu = (feu or 0.0) + value
        return cls(tonnes, m3, feu)

    def feu_share(self, load: Load) -> float:
        """Return how many FEU the shipment takes on container modes (a share of one for a part load)."""
        if self.feu is not None:
            return self.feu
        return max(self.tonnes / load.tonnes, self.m3 / load.m3)

    def as_load(self, load: Load) -> Load:
        """Return the shipment's cargo (for whole containers: that many reference loads)."""
        if self.feu is not None:
            return Load(self.feu * load.tonnes, self.feu * load.m3, load.volumetric_kg_per_m3)
        return Load(self.tonnes, self.m3, load.volumetric_kg_per_m3)

    def describe(self) -> str:
        if self.feu is not None:
            return f"{self.feu:g} FEU"
        parts = [f"{self.tonnes:g} t" if self.tonnes else "", f"{self.m3:g} m³" if self.m3 else ""]
        return ", ".join(p for p in parts if p)


_FORMS = ("{text!r} is not a shipment: give a mass and/or a volume such as '2 t, 12 m3' or '800 kg', or a number "
          "of containers such as '2 FEU'")


def shipment_totals(route: Route, shipment: Shipment) -> dict[str, Any]:
    """Return what ``shipment`` pays and emits on ``route``: cost (US$) and CO2e (kg), with the scale used.

    Container-mode elements scale by the shipment's share of an FEU; air legs and airport stops by its chargeable
    kg against one loaded FEU's (cost) and by its mass against one loaded FEU's (CO2e).
    """
    load = reference_load(route.network)
    cargo = shipment.as_load(load)
    share = shipment.feu_share(load)
    by_kg = cargo.chargeable_kg / load.chargeable_kg
    by_mass = cargo.tonnes / load.tonnes
    cost = co2 = 0.0
    for e in route.elements:
        air = e.mode == "air" if e.element == "leg" else e.kind in AIR_STOPS
        if e.cost_usd == e.cost_usd:
            cost += e.cost_usd * (by_kg if air else share)
        if e.co2_kg == e.co2_kg:
            co2 += e.co2_kg * (by_mass if air else share)
    return {"shipment": shipment.describe(), "feu_share": round(share, 4),
            "chargeable_kg": round(cargo.chargeable_kg, 1), "cost_usd": cost, "co2_kg": co2,
            "air": any(e.mode == "air" for e in route.legs)}
