"""A conceptual task whose answer is a dict from each letter to one of a few named choices
(lessons 01, 04, 05, 06): the shape is checked, then every wrong choice is answered with its
own explanation from the lesson's run."""
from collections.abc import Callable, Mapping

from shipyard.exercises.task import Wrong

Table = Mapping[str, tuple[str, Mapping[str, str]]]  # letter -> (the right choice, {a wrong choice: why})


def check_matching(answer: Callable, name: str, table: Table, choices: Mapping[str, str], item: str,
                   success: str) -> str:
    """`choices`: {the name a notebook uses: its value}, in order; `item`: what a letter stands
    for ("need", "bug"...). Returns `success`, or raises Wrong with what is wrong."""
    names = list(choices)
    if not callable(answer):
        raise Wrong(f"`{name}` should be a function: `def {name}(): return {{...}}`")
    chosen = answer()
    if not isinstance(chosen, dict):
        raise Wrong(f"{name}() returned {type(chosen).__name__}; it should return a dict, from each letter to "
                    f"{', '.join(names[:-1])} or {names[-1]}, like {{'a': {names[0]}, ...}}.")
    missing, extra = sorted(set(table) - set(chosen)), sorted(map(repr, set(chosen) - set(table)))
    if missing or extra:
        raise Wrong(f"The dict needs exactly the letters {min(table)} to {max(table)}."
                    + (f" Missing: {', '.join(missing)}." if missing else "")
                    + (f" Not a {item}: {', '.join(extra)}." if extra else ""))
    unknown = sorted((letter, value) for letter, value in chosen.items() if value not in choices.values())
    if unknown:
        letter, value = unknown[0]
        listed = [f"{label} ({value!r})" for label, value in choices.items()]
        raise Wrong(f"For ({letter}) you chose {value!r}: each choice is one of {', '.join(listed[:-1])} or "
                    f"{listed[-1]}.")
    wrong = [f"({letter}) not {chosen[letter]}: {why[chosen[letter]]}"
             for letter, (right, why) in table.items() if chosen[letter] != right]
    if wrong:
        raise Wrong(f"{len(table) - len(wrong)} of {len(table)} right. " + " ".join(wrong))
    return success
