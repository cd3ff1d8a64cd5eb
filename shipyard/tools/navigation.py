"""The generated cells of every notebook: a lesson's header and footer from its
`metadata.shipyard`, and the navigation links, so none of them is ever kept by hand."""
import nbformat

from shipyard.paths import NOTEBOOKS, SOLUTIONS

HEADER, FOOTER = "shipyard-header", "shipyard-footer"


def _lesson_meta(slug: str) -> dict:
    return nbformat.read(NOTEBOOKS / f"{slug}.ipynb", as_version=4).metadata["shipyard"]


def _label(slug: str) -> str:
    return f"{slug[:2]} · {_lesson_meta(slug)['title']}"


def _links(slug: str) -> str:
    slugs = sorted(path.stem for path in NOTEBOOKS.glob("[0-9][0-9]-*.ipynb"))
    links = [f"**Lesson:** [{_label(slug)}](../notebooks/{slug}.ipynb)"]
    if (SOLUTIONS / f"{slug}.ipynb").exists():
        links += [f"**Exercise:** [exercises/{slug}](../exercises/{slug}.ipynb)",
                  f"**Solution:** [solutions/{slug}](../solutions/{slug}.ipynb)"]
    later = slugs[slugs.index(slug) + 1:]
    if later:
        links.append(f"**Next lesson:** [{_label(later[0])}](../notebooks/{later[0]}.ipynb)")
    return "---\n" + " · ".join(links)


def header(slug: str) -> str:
    meta = _lesson_meta(slug)
    objectives = "\n".join(f"- {o}" for o in meta["objectives"])
    minutes = meta["minutes"]
    return (f"# {_label(slug)}\n\n{meta['why']}\n\n**Objectives.** After this lesson you can:\n{objectives}\n\n"
            f"**Minutes:** {minutes['teaching']} teaching · {minutes['exercises']} exercises  \n"
            f"**Prerequisites:** {meta['prerequisites']}")


def lesson_footer(slug: str) -> str:
    points = "\n".join(f"- {p}" for p in _lesson_meta(slug)["keypoints"])
    return f"## Key points\n{points}\n\n{_links(slug)}"


def refreshed(path) -> nbformat.NotebookNode:
    """The notebook at `path` with its generated cells rewritten."""
    notebook = nbformat.read(path, as_version=4)
    slug, is_lesson = path.stem, path.parent == NOTEBOOKS
    for cell in notebook.cells:
        tags = cell.metadata.get("tags", [])
        if HEADER in tags and is_lesson:
            cell.source = header(slug)
        elif FOOTER in tags:
            cell.source = lesson_footer(slug) if is_lesson else _links(slug)
    return notebook
