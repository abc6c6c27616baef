"""Words and their stems, as the search compares them.

The stemmer follows the Snowball algorithm for German, the one PostgreSQL's `german`
configuration applies to the documents, so that the SQLite fallback, the highlighting and
PostgreSQL agree on which words are "the same word": "Sprachkursen" and "Sprachkurse" are
both sprachkurs, "Jugendliche" is jugend, "Kindertagesstätten" kindertagesstatt.
"""

import functools
import re
import unicodedata

WORD = re.compile(r"[^\W_]+")

VOWELS = frozenset("aeiouyäöü")
S_ENDINGS = frozenset("bdfghklmnrt")
ST_ENDINGS = frozenset("bdfghklmnt")
UMLAUTS = str.maketrans({"ä": "a", "ö": "o", "ü": "u"})

# Words that say nothing on their own (as in PostgreSQL's German stop list): a query of
# "Maßnahmen für Kinder" looks for Maßnahmen and Kinder.
_STOP_WORDS = """
    aber alle allem allen aller alles als also am an ander andere anderem anderen anderer
    anderes anderm andern anders auch auf aus bei bin bis bist da damit dann das dass dasselbe
    dazu dein deine deinem deinen deiner deines dem demselben den denn denselben der derer
    derselbe derselben des desselben dessen dich die dies diese dieselbe dieselben diesem
    diesen dieser dieses dir doch dort du durch ein eine einem einen einer eines einig einige
    einigem einigen einiger einiges einmal er es etwas euch euer eure eurem euren eurer eures
    für gegen gewesen hab habe haben hat hatte hatten hier hin hinter ich ihm ihn ihnen ihr
    ihre ihrem ihren ihrer ihres im in indem ins ist jede jedem jeden jeder jedes jene jenem
    jenen jener jenes jetzt kann kein keine keinem keinen keiner keines können könnte machen
    man manche manchem manchen mancher manches mein meine meinem meinen meiner meines mich mir
    mit muss musste nach nicht nichts noch nun nur ob oder ohne sehr sein seine seinem seinen
    seiner seines selbst sich sie sind so solche solchem solchen solcher solches soll sollte
    sondern sonst über um und uns unsere unserem unseren unser unseres unter viel vom von vor
    während war waren warst was weg weil weiter welche welchem welchen welcher welches wenn
    werde werden wie wieder will wir wird wirst wo wollen wollte würde würden zu zum zur zwar
    zwischen daß
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())


def fold(word: str) -> str:
    """Lower case without accents: "Maßnahme" → "massnahme", "ÜBER" → "uber"."""
    word = word.lower().replace("ß", "ss")
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def words(text: str) -> list[re.Match]:
    """The words of a text (letters and digits; "Kita-Einstieg" is two), with positions."""
    return list(WORD.finditer(text or ""))


def _regions(word: str) -> tuple[int, int]:
    """Snowball's R1 and R2: where the region after the first non-vowel that follows a
    vowel begins (R1 at least after the third letter), and the same again within R1."""

    def after_vowel_consonant(start):
        for i in range(start + 1, len(word)):
            if word[i] not in VOWELS and word[i - 1] in VOWELS:
                return i + 1
        return len(word)

    r1 = after_vowel_consonant(0)
    r2 = after_vowel_consonant(r1)
    return max(r1, 3), r2


def _mark_vowel_glides(word: str) -> str:
    """u and y between two vowels are consonants: marked as U and Y while stemming."""
    letters = list(word)
    for i in range(1, len(letters) - 1):
        if letters[i] in "uy" and letters[i - 1] in VOWELS and letters[i + 1] in VOWELS:
            letters[i] = letters[i].upper()
    return "".join(letters)


def _step_1(word, r1):
    for suffix in ("ern", "em", "er"):
        if word.endswith(suffix):
            return word[: -len(suffix)] if len(word) - len(suffix) >= r1 else word
    for suffix in ("en", "es", "e"):
        if word.endswith(suffix):
            if len(word) - len(suffix) < r1:
                return word
            word = word[: -len(suffix)]
            return word[:-1] if word.endswith("niss") else word
    if word.endswith("s") and len(word) - 1 >= r1 and len(word) > 1 and word[-2] in S_ENDINGS:
        return word[:-1]
    return word


def _step_2(word, r1):
    for suffix in ("est", "en", "er"):
        if word.endswith(suffix):
            return word[: -len(suffix)] if len(word) - len(suffix) >= r1 else word
    if word.endswith("st") and len(word) - 2 >= r1 and len(word) >= 6 and word[-3] in ST_ENDINGS:
        return word[:-2]
    return word


def _step_3(word, r1, r2):
    def in_r2(suffix):
        return word.endswith(suffix) and len(word) - len(suffix) >= r2

    for suffix in ("end", "ung"):
        if word.endswith(suffix):
            if not in_r2(suffix):
                return word
            word = word[: -len(suffix)]
            if word.endswith("ig") and len(word) - 2 >= r2 and not word.endswith("eig"):
                word = word[:-2]
            return word
    for suffix in ("isch", "ig", "ik"):
        if word.endswith(suffix):
            if in_r2(suffix) and not word[: -len(suffix)].endswith("e"):
                return word[: -len(suffix)]
            return word
    for suffix in ("lich", "heit"):
        if word.endswith(suffix):
            if not in_r2(suffix):
                return word
            word = word[: -len(suffix)]
            if word.endswith(("er", "en")) and len(word) - 2 >= r1:
                word = word[:-2]
            return word
    if word.endswith("keit"):
        if not in_r2("keit"):
            return word
        word = word[:-4]
        for suffix in ("lich", "ig"):
            if word.endswith(suffix) and len(word) - len(suffix) >= r2:
                return word[: -len(suffix)]
        return word
    return word


@functools.lru_cache(maxsize=20_000)
def stem(word: str) -> str:
    """The Snowball German stem of a word, without umlauts: "Sprachkursen" → "sprachkurs"."""
    word = _mark_vowel_glides(word.lower().replace("ß", "ss"))
    r1, r2 = _regions(word)
    word = _step_1(word, r1)
    word = _step_2(word, r1)
    word = _step_3(word, r1, r2)
    return word.lower().translate(UMLAUTS)


def root(word: str) -> str:
    """The part of a query word its forms share, compared as a prefix of the stems.
    The stemmer itself does not always give one stem to all forms ("Sprachkurs" →
    sprachkur, "Sprachkurse" → sprachkurs), so a query word is stemmed twice."""
    return stem(stem(word))


@functools.lru_cache(maxsize=4096)
def stems_line(*texts: str) -> str:
    """The stems of the texts' words between single spaces, with a space at both ends,
    so that " stem" finds a word beginning with it (the SQLite fallback's document)."""
    stems = [stem(match.group()) for text in texts for match in words(text)]
    return f" {' '.join(stems)} "
