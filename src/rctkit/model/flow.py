"""The CONSORT participant flow: reasons, the enrolment box, the arms, and their arithmetic.

:func:`flow_problems` states the rules every flow obeys (received + did not receive =
allocated, and so on); :class:`~rctkit.Trial` checks them when it is built. Displaying the flow
(text, Markdown, SVG, figure) is :mod:`rctkit.consort`'s job, above the model.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import attrs

from rctkit.errors import InvalidInputError
from rctkit.model._fields import count_field, nonempty_str, optional_count_field

__all__ = ["Arm", "Enrolment", "Reason", "flow_problems", "total_of"]


@attrs.frozen
class Reason:
    """A count of participants with a reason (excluded, lost to follow-up, ...)."""

    reason: str = attrs.field(validator=nonempty_str("reason"))
    count: int = count_field("count")


#: What a reasons field accepts: ``{"withdrew consent": 2}`` or a sequence of Reason.
ReasonsLike = Mapping[str, int] | Iterable["Reason"]


def _as_reasons(value: ReasonsLike, name: str) -> tuple[Reason, ...]:
    if isinstance(value, Mapping):
        return tuple(Reason(str(k), v) for k, v in value.items())
    try:
        items = tuple(value)
    except TypeError:
        raise InvalidInputError(
            f"`{name}` must be a mapping of reason to count or a sequence of Reason "
            f"(got {value!r})"
        ) from None
    for item in items:
        if not isinstance(item, Reason):
            raise InvalidInputError(f"`{name}` entries must be Reason (got {item!r})")
    return items


# One named converter per field, so that type checkers see what each field accepts and the
# error names the field.
def _excluded(value: ReasonsLike) -> tuple[Reason, ...]:
    return _as_reasons(value, "excluded")


def _did_not_receive(value: ReasonsLike) -> tuple[Reason, ...]:
    return _as_reasons(value, "did_not_receive")


def _lost_to_follow_up(value: ReasonsLike) -> tuple[Reason, ...]:
    return _as_reasons(value, "lost_to_follow_up")


def _discontinued(value: ReasonsLike) -> tuple[Reason, ...]:
    return _as_reasons(value, "discontinued")


def _excluded_from_analysis(value: ReasonsLike) -> tuple[Reason, ...]:
    return _as_reasons(value, "excluded_from_analysis")


def total_of(reasons: Iterable[Reason]) -> int:
    """The number of participants across ``reasons``."""
    return sum(r.count for r in reasons)


@attrs.frozen
class Enrolment:
    """The enrolment box of the CONSORT flow: assessed for eligibility, excluded with reasons."""

    assessed: int | None = optional_count_field("assessed")
    excluded: tuple[Reason, ...] = attrs.field(factory=tuple, converter=_excluded)


@attrs.frozen
class Arm:
    """One arm of the trial and its part of the CONSORT flow.

    Parameters
    ----------
    label : str
        The arm's name in reports, e.g. "Peer-supported self-management".
    allocated : int
        Participants randomised (allocated) to the arm.
    received : int, optional
        Participants who received the allocated intervention.
    did_not_receive, lost_to_follow_up, discontinued, excluded_from_analysis : mapping, optional
        Reasons with counts, e.g. ``{"withdrew consent": 2}``.
    analysed : int, optional
        Participants analysed for the primary outcome.
    short : str, optional
        A short name for table headers; defaults to ``label``.
    description : str, optional
        A longer description of the intervention.
    """

    label: str = attrs.field(validator=nonempty_str("label"))
    allocated: int = count_field("allocated")
    received: int | None = optional_count_field("received")
    did_not_receive: tuple[Reason, ...] = attrs.field(factory=tuple, converter=_did_not_receive)
    lost_to_follow_up: tuple[Reason, ...] = attrs.field(
        factory=tuple, converter=_lost_to_follow_up
    )
    discontinued: tuple[Reason, ...] = attrs.field(factory=tuple, converter=_discontinued)
    analysed: int | None = optional_count_field("analysed")
    excluded_from_analysis: tuple[Reason, ...] = attrs.field(
        factory=tuple, converter=_excluded_from_analysis
    )
    short: str = ""
    description: str = ""

    @property
    def name(self) -> str:
        """The short name when given, else the label."""
        return self.short or self.label


def flow_problems(arms: Sequence[Arm], enrolment: Enrolment | None = None) -> list[str]:
    """List every way the CONSORT flow of ``arms`` (and ``enrolment``) breaks its arithmetic.

    :class:`~rctkit.Trial` calls this when it is built and raises one
    :class:`~rctkit.InvalidInputError` listing all the problems; call it directly to check a
    flow before building the trial.

    Parameters
    ----------
    arms : sequence of Arm
        The trial's arms, each with its part of the flow.
    enrolment : Enrolment, optional
        The enrolment box: assessed for eligibility and excluded with reasons.

    Returns
    -------
    list of str
        One message per broken rule, naming the arm, the boxes and the numbers; empty when
        the flow is consistent.

    Notes
    -----
    A list of reasons counts as given when it is not empty; its count is the sum over the
    reasons. "Randomized" is the sum of the arms' ``allocated``. The rules, each checked only
    when the boxes it involves are given:

    1. Enrolment: randomized = assessed - excluded when both ``assessed`` and exclusion
       reasons are given; randomized <= assessed when only ``assessed`` is.
    2. Allocation, per arm: received + did not receive = allocated when both are given;
       otherwise each of them <= allocated.
    3. Analysis, per arm: analysed + excluded from analysis = allocated when both are given;
       otherwise each of them <= allocated. This is the intention-to-treat convention of the
       CONSORT template: "analysed" and "excluded from analysis" split the participants
       *allocated* to the arm (not those who received the intervention or completed
       follow-up), so that a reader can see how far the analysis is from the full
       randomized set.
    4. Follow-up, per arm: lost to follow-up <= allocated and discontinued <= allocated.

    Rules that some trials legitimately break are not imposed: lost + discontinued may exceed
    allocated - analysed, or allocated itself (a participant who stopped the intervention may
    later be lost, and be counted in both boxes); participants lost to follow-up may still be
    analysed (their outcome imputed or taken from records); participants who discontinued
    the intervention are usually still followed up and analysed. That every outcome's
    denominator is at most its arm's analysed count is a rule of the trial's outcomes and is
    checked by :class:`~rctkit.Trial` itself.

    Examples
    --------
    >>> from rctkit import Arm, Enrolment
    >>> arms = [Arm("Peer support", 221, received=210, did_not_receive={"declined": 9}),
    ...         Arm("Control", 220, analysed=216)]
    >>> for problem in flow_problems(arms, Enrolment(500, {"declined": 60})):
    ...     print(problem)
    enrolment: randomized (sum of allocated, 441) must equal assessed for eligibility minus excluded (got 500 - 60 = 440)
    arm 'Peer support': received + did not receive must equal allocated (got 210 + 9 = 219, allocated=221)
    """  # noqa: E501
    problems: list[str] = []
    randomized = sum(arm.allocated for arm in arms)
    if enrolment is not None and enrolment.assessed is not None:
        assessed = enrolment.assessed
        if enrolment.excluded:
            excluded = total_of(enrolment.excluded)
            if randomized != assessed - excluded:
                problems.append(
                    f"enrolment: randomized (sum of allocated, {randomized}) must equal "
                    f"assessed for eligibility minus excluded "
                    f"(got {assessed} - {excluded} = {assessed - excluded})"
                )
        elif randomized > assessed:
            problems.append(
                f"enrolment: randomized (sum of allocated, {randomized}) must not exceed "
                f"assessed for eligibility ({assessed})"
            )
    for arm in arms:
        problems.extend(_arm_problems(arm))
    return problems


def _arm_problems(arm: Arm) -> Iterable[str]:
    where = f"arm {arm.label!r}"
    yield from _split_problems(
        where, arm.allocated, "received", arm.received, "did not receive", arm.did_not_receive
    )
    for name, reasons in (
        ("lost to follow-up", arm.lost_to_follow_up),
        ("discontinued", arm.discontinued),
    ):
        if reasons and total_of(reasons) > arm.allocated:
            yield (
                f"{where}: {name} must not exceed allocated "
                f"(got {name}={total_of(reasons)}, allocated={arm.allocated})"
            )
    yield from _split_problems(
        where,
        arm.allocated,
        "analysed",
        arm.analysed,
        "excluded from analysis",
        arm.excluded_from_analysis,
    )


def _split_problems(
    where: str,
    allocated: int,
    name: str,
    count: int | None,
    rest_name: str,
    rest: tuple[Reason, ...],
) -> Iterable[str]:
    """Rules for a box that splits the allocated participants: count + rest = allocated."""
    if count is not None and rest:
        other = total_of(rest)
        if count + other != allocated:
            yield (
                f"{where}: {name} + {rest_name} must equal allocated "
                f"(got {count} + {other} = {count + other}, allocated={allocated})"
            )
    elif count is not None and count > allocated:
        # The wording of Trial's own check, which this rule replaces.
        yield (
            f"{where}: `{name}` must not exceed `allocated` "
            f"(got {name}={count}, allocated={allocated})"
        )
    elif rest and total_of(rest) > allocated:
        yield (
            f"{where}: {rest_name} must not exceed allocated "
            f"(got {rest_name}={total_of(rest)}, allocated={allocated})"
        )
