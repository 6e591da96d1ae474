"""What a mistaken cloud name meant: the cloud its words point to, before its spelling does.

``AzureUSGov`` is one letter from no accepted name but three from ``GovSGCloud`` (Singapore):
an edit distance alone suggests the wrong cloud. The words people put into a cloud's name
(``us``, ``gcchigh``, ``mooncake``, ``21vianet``) say which cloud they mean, so a suggestion
looks for them first (:func:`meant`), and falls back to the closest spelling only when no word
matches.

These words are suggestions, never accepted names: a name that is not in
``_builtin_clouds.NAMES`` is refused whatever it means (no alias without a source), and the
message names the cloud to write instead.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from . import _builtin_clouds as data

__all__ = ["MEANINGS", "Meaning", "meant"]


@dataclass(frozen=True)
class Meaning:
    """The cloud a word points to, and what to say with it."""

    cloud: str
    note: str = ""


_GERMANY = Meaning(data.DELOS, data.RETIRED_REASONS[data.GERMAN])
# GCC (Moderate) uses the worldwide authority and endpoints; GCC High and DoD are Azure Government
# (learn.microsoft.com graph/deployments, "Microsoft Graph national cloud deployments"; Microsoft's
# answer on MicrosoftDocs/teams-js #3121: "GCC uses the worldwide authority
# (login.microsoftonline.com), while GCC High and DoD use login.microsoftonline.us").
_GCC = Meaning(
    data.PUBLIC,
    "GCC Moderate runs in the public cloud; GCC High and DoD run in AzureUSGovernment",
)

MEANINGS: dict[str, Meaning] = {
    # Azure Government: its names, its code name (Fairfax), and the offerings that run in it
    # (GCC High, DoD impact levels 4 and 5).
    **dict.fromkeys(
        ("us", "usgov", "azuregov", "azuregovernment", "fairfax", "gcchigh", "il4", "il5", "dod"),
        Meaning(data.US_GOVERNMENT),
    ),
    # Azure China: its code name (Mooncake) and its operator (21Vianet).
    **dict.fromkeys(("cn", "china", "mooncake", "21v", "21vianet"), Meaning(data.CHINA)),
    **dict.fromkeys(("sg", "singapore", "govsg"), Meaning(data.GOVSG)),
    **dict.fromkeys(("fr", "france", "bleu"), Meaning(data.BLEU)),
    # Germany: the sovereign cloud operated by Delos Cloud, with the note on the retired one.
    **dict.fromkeys(("de", "germany", "delos"), _GERMANY),
    **dict.fromkeys(("gcc", "gccmoderate"), _GCC),
}
"""Every word that points to a cloud, as folded (lower case, no separators)."""

# Words of a name: runs between separators, split where the case changes (AzureUSGov: azure, us,
# gov) and between letters and digits (IL5: il, 5); a word is matched also joined to its
# neighbours (gcc + high, 21 + vianet).
_PARTS = re.compile(r"[^A-Za-z0-9]+")
_WORDS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+|\d+")
# Inside a word written without separators or case (usgovt, azurechinacloud, dodcloud), only
# words of three letters or more are looked for: two (us, de, cn) are inside too many others.
_SHORTEST_INSIDE = 3


def _words(name: str) -> list[str]:
    return [word.lower() for part in _PARTS.split(name) for word in _WORDS.findall(part)]


def meant(name: str) -> tuple[Meaning, ...]:
    """The clouds the words of ``name`` point to: the longest matching word wins; two different
    clouds with words of the same length are both returned (a name that mixes two clouds)."""
    words = _words(name)
    found = [
        "".join(words[start:end])
        for start in range(len(words))
        for end in range(start + 1, len(words) + 1)
        if "".join(words[start:end]) in MEANINGS
    ]
    if not found:
        folded = "".join(words)
        found = [word for word in MEANINGS if len(word) >= _SHORTEST_INSIDE and word in folded]
    if not found:
        return ()
    longest = max(len(word) for word in found)
    best = [MEANINGS[word] for word in found if len(word) == longest]
    return tuple(dict.fromkeys(best))  # each cloud once, in the order found
