"""Analysis populations: the full analysis set, per-protocol, safety, and their counts per arm.

An outcome is analysed in a population, and its denominators are at most that population's
counts; harms are counted over the safety population. A trial that names no population keeps
the simple rule: each arm's analysed count (allocated when not given) is every outcome's
limit and the harms' denominator.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import attrs

from rctkit.model._fields import count_field, nonempty_str
from rctkit.model.flow import Arm

__all__ = ["Population", "population_problems"]

Where = tuple[str | int, ...]


@attrs.frozen
class Population:
    """An analysis population with its number of participants in each arm.

    Parameters
    ----------
    name : str
        How the report names it: "full analysis set", "per-protocol", "safety", or any other.
    treatment, control : int
        Its participants in the treatment and the control arm; at most each arm's allocated
        count.
    description : str, optional
        Its definition, as the protocol gives it.

    Examples
    --------
    >>> Population("safety", 216, 214, "all who received at least one session")
    Population(name='safety', treatment=216, control=214, description='all who received at least one session')
    """  # noqa: E501

    name: str = attrs.field(validator=nonempty_str("name"))
    treatment: int = count_field("treatment")
    control: int = count_field("control")
    description: str = attrs.field(default="", validator=attrs.validators.instance_of(str))

    @property
    def counts(self) -> tuple[int, int]:
        """``(treatment, control)``."""
        return self.treatment, self.control


def population_problems(
    arms: Sequence[Arm],
    populations: Sequence[Population],
    outcome_names: Sequence[str],
    outcome_populations: Mapping[str, str],
    safety_population: str | None,
) -> list[tuple[Where, str]]:
    """Every way the populations disagree with the arms and the outcomes, with where it lies:
    a name given twice, a count above its arm's allocated count, an outcome or a population
    named that does not exist."""
    located: list[tuple[Where, str]] = []
    seen: set[str] = set()
    for i, population in enumerate(populations):
        if not isinstance(population, Population):
            located.append(
                (
                    ("populations", i),
                    f"`populations` must hold Population objects (got {population!r})",
                )
            )
            continue
        if population.name in seen:
            located.append(
                (("populations", i, "name"), f"population {population.name!r} is given twice")
            )
        seen.add(population.name)
        for arm, count in zip(arms, population.counts, strict=True):
            if count > arm.allocated:
                located.append(
                    (
                        ("populations", i),
                        f"population {population.name!r}: the {arm.label!r} count must not "
                        f"exceed the arm's allocated count (got {count} > {arm.allocated})",
                    )
                )
    for outcome, name in outcome_populations.items():
        if outcome not in outcome_names:
            located.append(
                (
                    ("outcome_populations", outcome),
                    f"`outcome_populations` names an unknown outcome {outcome!r}",
                )
            )
        if name not in seen:
            located.append(
                (
                    ("outcome_populations", outcome),
                    f"outcome {outcome!r}: population {name!r} is not one of the trial's "
                    f"populations {sorted(seen)}",
                )
            )
    if safety_population is not None and safety_population not in seen:
        located.append(
            (
                ("safety_population",),
                f"`safety_population` must name one of the trial's populations {sorted(seen)} "
                f"(got {safety_population!r})",
            )
        )
    return located
