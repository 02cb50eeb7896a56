"""Whole-word terms of a topic profile (vocabulary, scope, gazetteer) and how a text is searched
for many of them at once."""

import re
from collections.abc import Callable, Hashable, Iterable, Sequence
from functools import cache
from typing import Generic, TypeVar

import ahocorasick

Key = TypeVar("Key", bound=Hashable)

# Kana and kanji (and half-width katakana): Japanese runs its words on without spaces, so
# "JAXAは" or "米国と日本" still hold whole terms. A term's boundary is any character but a word
# character of a script that spaces its words: not \w, or one of these. Written as two cases,
# each with its class outside IGNORECASE (``(?-i:...)``, the same characters either way), it
# compiles four times faster than the one class "[^\W...]", which re expands for case folding in
# every one of a profile's 130-odd patterns (1.3 s of each run's first extraction).
_UNSPACED = r"\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff66-\uff9f"
_AFTER_BOUNDARY = rf"(?:(?<!\w)|(?<=(?-i:[{_UNSPACED}])))"
# A "+" after a term makes another word of it: "H3+" is the trihydrogen ion, not the rocket.
_BEFORE_BOUNDARY = rf"(?:(?![\w+])|(?=(?-i:[{_UNSPACED}])))"


_UNSPACED_CHARACTER = re.compile(f"[{_UNSPACED}]")


def spaced(text: str) -> bool:
    r"""Whether the text holds no character of a script that runs its words on (no kana or
    kanji): a term's boundaries in it are then the plain ones, (?<!\w) and (?![\w+])."""
    return text.isascii() or _UNSPACED_CHARACTER.search(text) is None


class TermPattern:
    """``compile_terms``'s regex, searched, matched or substituted like a ``re.Pattern``, in two
    forms that find the same matches in a text with no kana or kanji (``spaced``): plain word
    boundaries there, and the whole boundary only in a text that holds such a character. The
    whole boundary's classes of kana and kanji cost re 1.5 ms each to compile (3 ms a pattern:
    0.5 s of each process's first use of a profile), and most texts never need them: that form
    is compiled at the first text that does."""

    __slots__ = ("_flags", "_spaced", "_unspaced", "pattern")

    def __init__(self, body: str, flags: int) -> None:
        self._flags = flags
        self.pattern = rf"{_AFTER_BOUNDARY}(?:{body}){_BEFORE_BOUNDARY}"
        self._spaced = re.compile(rf"(?<!\w)(?:{body})(?![\w+])", flags)
        self._unspaced: re.Pattern[str] | None = None

    def form(self, is_spaced: bool) -> re.Pattern[str]:
        """The regex for a text that ``spaced`` says is (or is not) spaced."""
        if is_spaced:
            return self._spaced
        if self._unspaced is None:
            self._unspaced = re.compile(self.pattern, self._flags)
        return self._unspaced

    def search(self, text: str) -> re.Match[str] | None:
        """``re.Pattern.search``."""
        return self.form(spaced(text)).search(text)

    def match(self, text: str, position: int = 0) -> re.Match[str] | None:
        """``re.Pattern.match`` at the position (the characters before it still seen)."""
        return self.form(spaced(text)).match(text, position)

    def sub(self, replacement: Callable[[re.Match[str]], str], text: str) -> str:
        """``re.Pattern.sub``."""
        return self.form(spaced(text)).sub(replacement, text)


def compile_terms(terms: list[str], *, case_sensitive: bool) -> TermPattern:
    """One regex matching any of the terms as whole words; a trailing * matches any ending.
    Compiled once per process for the same terms (``_compile_terms``)."""
    return _compile_terms(tuple(terms), case_sensitive)


@cache
def _compile_terms(terms: tuple[str, ...], case_sensitive: bool) -> TermPattern:
    bodies = [
        re.escape(term.removesuffix("*")) + (r"\w*" if term.endswith("*") else "")
        for term in sorted(terms, key=len, reverse=True)
    ]
    return TermPattern("|".join(bodies), 0 if case_sensitive else re.IGNORECASE)


def fold(text: str) -> str:
    """The text casefolded so that it holds every term a case-insensitive regex finds in it:
    re's IGNORECASE also takes the dotted capital I and the dotless i for an "i", which
    casefold does not."""
    return text.casefold().replace("i\u0307", "i").replace("ı", "i")


def by_first_letter(alternatives: str) -> str:
    """The "|"-separated alternatives (each opening with an ASCII letter) of a pattern that
    ignores case, as one group with a branch per first letter (lowercased), in the order the
    letters first come, each branch keeping its alternatives' order: the same matches as the
    plain group, at the same places and of the same length (two alternatives of different first
    letters never match at one place, even ignoring case), but re tries one branch a letter
    instead of every word at every word."""
    branches: dict[str, list[str]] = {}
    depth, start = 0, 0
    for position, character in enumerate(f"{alternatives}|"):
        depth += {"(": 1, ")": -1}.get(character, 0)
        if character == "|" and depth == 0:
            word = alternatives[start:position]
            if not (word[:1].isascii() and word[:1].isalpha()):
                raise ValueError(f"an alternative must open with an ASCII letter: {word!r}")
            branches.setdefault(word[0].lower(), []).append(word[1:])
            start = position + 1
    return (
        "(?:" + "|".join(f"{first}(?:{'|'.join(rest)})" for first, rest in branches.items()) + ")"
    )


class TermSet(Generic[Key]):
    """Groups of terms, each under a key; ``found`` gives the keys of the groups a text holds
    a term of, exactly as each group's ``compile_terms`` pattern would search it.

    Every match of a term starts with the term's text up to its "*" (its needle), so a text
    without a needle holds no match of its term, and one with it holds a match only where the
    needle stands: the pattern is tried there (``re.Pattern.match`` at that place still sees the
    characters before it, as the boundary needs) rather than searched for over the whole text,
    which for a pattern that opens with a look-behind tries every character. The needles a text
    holds are found in one pass over it by an Aho-Corasick automaton (pyahocorasick), not by a
    substring test per needle: 1.5 us a statement against 7-12 for the 64 to 104 needles of a
    profile's sets (the extraction and the consolidation ask 120,000 times at 2,000 items).

    Case-insensitive terms are looked for in the text lowercased when that leaves every
    character in its place and agrees with ``fold``: no dotted capital I, dotless i or long s,
    no ligature, nothing whose case folds to more than one character. IGNORECASE then matches
    an ASCII needle only where the lowercased text holds it (the Kelvin sign lowercases to a
    "k"). Otherwise, and for a needle that is not ASCII, the needle is looked for in the folded
    text and the pattern searched for as before."""

    def __init__(
        self, groups: Iterable[tuple[Key, Sequence[str]]], *, case_sensitive: bool
    ) -> None:
        self.case_sensitive = case_sensitive
        # Each needle with the groups whose terms open with it: (key, pattern, placed).
        self._needles: dict[str, list[tuple[Key, TermPattern, bool]]] = {}
        for key, terms in groups:
            pattern = compile_terms(list(terms), case_sensitive=case_sensitive)
            for term in terms:
                needle = term.removesuffix("*")
                if not case_sensitive:
                    needle = needle.casefold()
                # An empty needle (a term "*") stands everywhere: the pattern is searched.
                placed = bool(needle) and (case_sensitive or needle.isascii())
                self._needles.setdefault(needle, []).append((key, pattern, placed))
        # An empty needle stands in every text: the automaton takes none, it is always tried.
        self._everywhere = [needle for needle in self._needles if not needle]
        self._automaton = ahocorasick.Automaton()
        for needle in self._needles:
            if needle:
                self._automaton.add_word(needle, needle)
        if len(self._automaton):
            self._automaton.make_automaton()

    def found(self, text: str) -> set[Key]:
        """The keys of the groups the text holds a term of."""
        if self.case_sensitive:
            probe, aligned = text, True
        else:
            probe = fold(text)
            lowered = text.lower()
            aligned = probe == lowered and len(lowered) == len(text)
        keys: set[Key] = set()
        is_spaced: bool | None = None  # ``spaced(text)``, once a needle is found
        # The needles the text holds, each once, in one pass over it.
        held = {needle for _, needle in self._automaton.iter(probe)} if len(self._automaton) else ()
        for needle in (*self._everywhere, *held):
            if is_spaced is None:
                is_spaced = spaced(text)
            for key, terms, placed in self._needles[needle]:
                if key in keys:
                    continue
                pattern = terms.form(is_spaced)
                if not (placed and aligned):
                    if pattern.search(text) is not None:
                        keys.add(key)
                    continue
                # The pattern tried where the needle stands (``re.Pattern.match`` at a place
                # still sees the characters before it, as the boundary needs).
                position = probe.find(needle)
                while position >= 0:
                    if pattern.match(text, position):
                        keys.add(key)
                        break
                    position = probe.find(needle, position + 1)
        return keys
