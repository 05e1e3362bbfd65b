"""TFD515: the inputs of a zip shuffled apart."""

from __future__ import annotations

from collections.abc import Iterator

from ...config import Thresholds
from ...facts.pipeline import PipelineFacts, Step
from ...findings import Severity
from .._pipeline import where
from ..registry import Report, rule


def _shuffles(steps: Iterator[Step] | list[Step] | tuple[Step, ...]) -> list[Step]:
    return [s for s in steps if s.kind == "shuffle"]


def _same_permutation(shuffles: list[Step]) -> bool:
    """Shuffles that reorder equal-length inputs alike: the same buffer and the same nonzero seeds."""
    keys = {
        (
            s.args.get("buffer_size"),
            s.args.get("seed"),
            s.args.get("seed2"),
            s.args.get("reshuffle_each_iteration"),
        )
        for s in shuffles
    }
    return len(keys) == 1 and any(next(iter(keys))[1:3])


@rule("TFD515", "shuffled-zip-inputs", Severity.ERROR, requires=(PipelineFacts,))
def shuffled_zip_inputs(facts: PipelineFacts, cfg: Thresholds) -> Iterator[Report]:
    """The inputs of a zip are shuffled apart: element i of one no longer matches element i of another.

    What it finds:
    `Dataset.zip((a, b))` where `a` or `b` (say images and labels read separately) went
    through a shuffle of its own, unless every input is shuffled alike (same buffer, same
    fixed seeds).
    Why it hurts training:
    zip pairs elements by position. Shuffling one input (or both, independently) pairs each
    image with some other record's label: the labels become noise, the loss stays at chance,
    and nothing fails.
    Example:
    tf.data.Dataset.zip((images.shuffle(1000), labels))
    Fix:
    Zip first, then shuffle the pairs: `tf.data.Dataset.zip((images, labels)).shuffle(1000)`.
    """
    pipeline = facts.pipeline
    for step in pipeline.of("zip"):
        inputs = [[s for s in pipeline.steps if s.index < step.index], *(list(b) for b in step.branches)]
        shuffled = [_shuffles(chain) for chain in inputs]
        if not any(shuffled):
            continue
        if all(shuffled) and _same_permutation([s for group in shuffled for s in group]):
            continue
        which = [i + 1 for i, group in enumerate(shuffled) if group]
        first = next(group[0] for group in shuffled if group)
        yield Report(
            f"`{step.call()}` ({pipeline.where(step)}) pairs its inputs by position, but input "
            f"{', '.join(map(str, which))} of {len(inputs)} went through `{first.call()}` on its own: "
            "elements are paired with other records' elements.",
            where(step),
            {"inputs": len(inputs), "shuffled_inputs": which},
            f"Zip first, then shuffle the pairs: Dataset.zip((...)).shuffle({first.args.get('buffer_size')})",
        )
