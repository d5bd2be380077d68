"""One notation, the card's (00_index, "Notation and shapes"), in every lesson's prose.

The card puts a layer's index below (W_l, a_l, δ_l), runs BP2 from δ_l down to δ_{l−1},
writes the batch's mean loss 𝓛 (C is one sample's cost), and names the derivative
`sigmoid_prime`. This test fails on each form the card does not allow, wherever a lesson's
markdown uses it; code blocks and code spans are left out (code follows nnlib's names), as
is the card's paragraph on reading other sources, which quotes their notation.
"""

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parent.parent
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))
OTHER_SOURCES = re.compile(r"\*\*Reading other sources\.\*\*.*?(?:\n\n|\Z)", re.DOTALL)
FENCED, SPAN = re.compile(r"```.*?```", re.DOTALL), re.compile(r"`[^`\n]*`")

STRAY_FORMS = {
    # W^l, \mathbf a^{l+1}, \delta^L, z^{(l)}, a^ℓ, Wˡ: the layer's index above
    "a layer index written above (the card writes it below: W_l, a_{l+1}, δ_L)":
        re.compile(r"(?<=[A-Za-zδΔ}])\s*\^\s*\{?\s*\(?\s*(?:[lLℓ]|\\ell)(?![A-Za-z])|[ˡᴸ]"
                   # ... or as a number: a^0, \delta^1, Z^{2} (W^2, a square, stays allowed)
                   r"|(?:\\delta|δ|\\Delta|Δ|\\mathbf\s*[abz]|\b[AZ])\s*\^\s*\{?\s*\d"),
    # BP2 run upward: δ_l from δ_{l+1}
    "δ_{l+1} (BP2 goes from δ_l to δ_{l−1})":
        re.compile(r"(\\delta|δ|\\Delta|Δ)\s*_\s*\{\s*l\s*\+\s*1\s*\}"),
    # a sample's index below, where the card's subscript is the layer: C_n, δ_{l,n}, a_n
    "a sample's index written below (the card writes it above: C^{(n)}, a_l^{(n)}, δ_l^{(n)})":
        re.compile(r"(?:\\delta|δ|\\mathbf\s*[ayz]|\bC)\s*_\s*\{?\s*(?:[lL]\s*,\s*)?n\s*\}?(?![\w{])"),
    # the batch's mean loss
    "'Loss' in a derivative (the card's mean loss is 𝓛, \\mathcal L)":
        re.compile(r"(∂|\\partial|\bd)\s*Loss\b"),
}
SIGMA_PRIME = re.compile(r"\bsigma_prime\b")


def prose(source):
    """A markdown cell's text without code blocks, code spans and the card's quotes of
    other sources' notation."""
    return SPAN.sub("", FENCED.sub("", OTHER_SOURCES.sub("", source)))


def stray_forms(text):
    """[(what the card says instead, the text found)] for every stray form in `text`."""
    return [(why, match.group(0)) for why, pattern in STRAY_FORMS.items()
            for match in pattern.finditer(text)]


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.name)
def test_lessons_write_the_cards_notation(path):
    found = []
    for index, cell in enumerate(nbformat.read(path, as_version=4).cells):
        if cell.cell_type == "markdown":
            found += [f"cell {index}: {why}: {text!r}" for why, text in stray_forms(prose(cell.source))]
        found += [f"cell {index}: sigma_prime (the card's name is sigmoid_prime)"
                  for _ in SIGMA_PRIME.finditer(cell.source)]
    assert found == [], "\n".join(found)


def test_the_check_finds_each_stray_form_and_passes_the_cards_own():
    bad = [r"$W^l$", r"$\mathbf a^{l+1}$", r"$\boldsymbol\delta^L$", r"$z^{(l)}$", "a^ℓ",
           r"$a^{(\ell)}$", "Wˡ", r"$\delta^1$", r"$\mathbf a^{0}$", "Z^1", r"$\delta_{l+1}$",
           r"$\Delta_{ l + 1 }$", "δ_{l+1}",
           r"$\partial Loss/\partial W$", "dLoss/dZ", r"$C_n$", r"$\delta_{l,n}$", r"$\mathbf a_n$",
           r"$\sum_n C_{n}$"]
    for text in bad:
        assert stray_forms(text), text
    good = [r"$W_l$", r"$\mathbf a_{l+1} = f(\mathbf z_l)$", r"$W_l^\top\boldsymbol\delta_l$",
            r"$\Delta_{l-1} = (\Delta_l W_l) \odot f'(Z_{l-1})$", r"$\mathbf a_l^\top$",
            r"$x^2$", r"$e^{-x}$", r"$\partial\mathcal L/\partial W_l$", r"$(W_l)_{jk}$",
            "the loss curve", "Loss falls",
            r"$\lambda \sum W^2$", r"$e^{-z^2}$", r"$C^{(n)}$", r"$\mathbf a_l^{(n)}$",
            r"$\sum_n$", r"$n_l$", r"$C_{\text{new}}$"]
    for text in good:
        assert stray_forms(text) == [], text
    card = next(cell.source for cell in nbformat.read(NOTEBOOKS[0], as_version=4).cells
                if cell.source.startswith("## Notation and shapes"))
    assert stray_forms(card) and stray_forms(prose(card)) == []   # its quotes, and only those
    assert prose("`sigma_prime` and ```\nW^l\n```") == " and "
