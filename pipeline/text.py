"""Text pieces every stage shares: bytes to text, HTML to text, words, stop words and capitalised phrases.

- :func:`decode`: the one byte decoder, for seed files and fetched pages alike (a saved page and the same page
  fetched read the same). Every reading is evidence to be checked, a byte-order mark included: a reading is taken
  only when it decodes without error and reads as text (charset_normalizer's mess measure), best evidence first.
- :func:`html_to_text`: readable text of an HTML fragment (feed summaries, titles, entry bodies).
- :func:`tokenize`: the words of a sentence with their offsets; :func:`capitalised_phrases`: runs of capitalised
  words (connectors such as "of" may sit between them: "Bank of England"); :func:`is_title_case`.
- :func:`normalized_content`: text folded for exact comparison; :func:`headline_coverage`: how much of its
  headline a body mentions (page chrome mentions little of it).
- :data:`ENGLISH_STOP_WORDS`: scikit-learn's list (BSD-3-Clause; from the Glasgow Information Retrieval Group),
  kept here so the pipeline does not import scikit-learn (about 2 s at every start) for one word list;
  ``tests/test_text.py`` checks that it still equals ``sklearn.feature_extraction.text.ENGLISH_STOP_WORDS``.

Pure functions, no I/O.
"""

from __future__ import annotations

import bisect
import codecs
import re
import threading
import unicodedata
from collections.abc import Iterable
from functools import lru_cache
from typing import NamedTuple
from urllib.parse import urlsplit

import charset_normalizer
import lxml.html
import regex
import snowballstemmer
from charset_normalizer.md import mess_ratio
from lxml import etree
from wordfreq.tokens import SPACELESS_EXPR

from pipeline.sources.sanitize import clean_text

# --- bytes -> text ---------------------------------------------------------------------------------------------

SNIFF_BYTES = 8192
"""Bytes looked at for a charset declaration, UTF-16 byte patterns and binary content."""
UTF16_NUL_SHARE = 0.3
"""Share of NUL bytes in one byte position (odd or even) from which BOM-less text reads as UTF-16."""
MOSTLY_ASCII_SHARE = 0.7
"""Western text is mostly ASCII; Cyrillic, Greek or Arabic in a legacy charset is mostly not."""
MAX_MESS = 0.2
"""Highest charset_normalizer mess ratio (odd characters, script changes inside words ...) of a reading taken."""
MAX_TEXT_NULS = 1
BINARY_NUL_SHARE = 0.01
"""More NUL bytes than this share of the sniffed start (and than ``MAX_TEXT_NULS``) mark bytes as binary."""
BINARY_CONTROL_SHARE = 0.1
"""So do control bytes (NUL included; not tab, line breaks, form feed or escape) above this share."""
_TEXT_CONTROLS = frozenset(b"\t\n\r\x0c\x1b")
_CONTROL_BYTES = bytes(byte for byte in range(0x20) if byte not in _TEXT_CONTROLS)
"""The control bytes that count towards binary content."""
_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)
"""Byte-order marks, longest first (the UTF-32 LE mark begins with the UTF-16 LE one)."""
_DECLARED_CHARSET = re.compile(
    rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_.:-]+)|<\?xml[^>]+encoding\s*=\s*["']([a-zA-Z0-9_.:-]+)""",
    re.IGNORECASE,
)
_HEADER_CHARSET = re.compile(r"charset\s*=\s*[\"']?([^\"';\s]+)", re.IGNORECASE)


class Decoded(NamedTuple):
    """Text read from bytes and the codec that read it."""

    text: str
    encoding: str


class NotText(ValueError):
    """Bytes that no reading makes text of; ``reason`` is a short snake_case reject reason."""

    def __init__(self, reason: str, detail: str):
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def codec_name(label: str | None) -> str | None:
    """Python's codec name for a charset label, None when unknown."""
    if not label:
        return None
    try:
        return codecs.lookup(label.strip().lower()).name
    except LookupError:
        return None


def declared_charsets(data: bytes, content_type: str | None = None) -> list[str]:
    """Charsets the bytes are said to be in: the ``Content-Type`` header's, then a ``<meta>`` or XML declaration
    near the start (a saved page keeps its declaration, so it reads as it did when fetched)."""
    labels = []
    if header := _HEADER_CHARSET.search(content_type or ""):
        labels.append(header.group(1))
    if meta := _DECLARED_CHARSET.search(data[:SNIFF_BYTES]):
        labels.append((meta.group(1) or meta.group(2)).decode("ascii"))
    return [name for name in map(codec_name, labels) if name]


def looks_binary(data: bytes) -> bool:
    """Several NUL bytes, or many control bytes, near the start: not text. One stray NUL in text is not."""
    sample = data[:SNIFF_BYTES]
    nuls = sample.count(0)
    controls = len(sample) - len(sample.translate(None, _CONTROL_BYTES))  # counted in C, not a loop a byte
    many_nuls = nuls > MAX_TEXT_NULS and nuls > BINARY_NUL_SHARE * len(sample)
    return many_nuls or controls > BINARY_CONTROL_SHARE * len(sample)


def _bom_codec(data: bytes) -> str | None:
    return next((name for bom, name in _BOMS if data.startswith(bom)), None)


def _utf16_by_nuls(data: bytes) -> str | None:
    """``utf-16-le``/``-be`` for BOM-less UTF-16 whose every other byte is NUL (Latin text), else None."""
    sample = data[:SNIFF_BYTES]
    if len(sample) < 4:
        return None
    even_nuls, odd_nuls = sample[0::2].count(0), sample[1::2].count(0)
    half = len(sample) // 2
    if odd_nuls >= UTF16_NUL_SHARE * half and even_nuls == 0:
        return "utf-16-le"
    if even_nuls >= UTF16_NUL_SHARE * half and odd_nuls == 0:
        return "utf-16-be"
    return None


def _reads_as_text(text: str) -> bool:
    """Whether a reading looks like text in some language rather than bytes misread (charset_normalizer's mess
    measure over the start: unprintable and unassigned characters, scripts switching inside words ...)."""
    sample = text[:SNIFF_BYTES].replace("\x00", "")
    return bool(sample.strip()) and mess_ratio(sample, MAX_MESS) < MAX_MESS


MAX_REPLACED_SHARE = 0.001
"""Share of undecodable bytes (as U+FFFD) a reading backed by evidence (a mark, a declaration) may have."""


def _reading(data: bytes, codec: str) -> str | None:
    """The bytes read with ``codec`` when that makes text: at most a stray undecodable byte or two, and
    charset_normalizer's mess measure low."""
    try:
        text = data.decode(codec, errors="replace")
    except LookupError:
        return None
    if text.count("\ufffd") > 1 + MAX_REPLACED_SHARE * len(text) or not _reads_as_text(text):
        return None
    return text


def evident_codec(data: bytes) -> str | None:
    """The codec a byte-order mark, or UTF-16's pattern of NUL bytes, points to, when reading the bytes with it
    makes text; None otherwise (a file that merely starts with ``FF FE`` is no UTF-16)."""
    for codec in (_bom_codec(data), _utf16_by_nuls(data)):
        if codec and _reading(data, codec) is not None:
            return codec
    return None


def decode(data: bytes, declared: Iterable[str] = ()) -> Decoded:
    """Text of bytes, by the best evidence that holds: a byte-order mark or UTF-16's NUL pattern
    (:func:`evident_codec`), then UTF-8, then a declared charset (``declared``, see :func:`declared_charsets`),
    then Windows-1252 for mostly-ASCII bytes (statistical detection on a few accented letters guesses wrong for
    Western languages), then charset_normalizer's detection. A reading must make text (see :func:`_reading`).
    NUL characters are dropped.

    Raises ``NotText`` (``binary_file`` or ``undecodable_text``) when no reading holds.
    """
    if codec := evident_codec(data):
        return Decoded(data.decode(codec, errors="replace").replace("\x00", ""), codec)
    if looks_binary(data):
        raise NotText("binary_file", "control bytes found: not text")
    data = data.replace(b"\x00", b"")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    for codec in dict.fromkeys(declared):
        if (text := _reading(data, codec)) is not None:
            return Decoded(text, codec)
    mostly_ascii = sum(byte < 0x80 for byte in data) >= MOSTLY_ASCII_SHARE * len(data)
    if mostly_ascii and (text := _reading(data, "cp1252")) is not None:
        return Decoded(text, "cp1252")
    best = charset_normalizer.from_bytes(data).best()
    if best is None or not best.encoding:
        raise NotText("undecodable_text", "not UTF-8 and no charset detected")
    return Decoded(str(best), best.encoding)


# --- HTML -> text ----------------------------------------------------------------------------------------------

_BLOCK_TAGS = frozenset(
    {
        "p",
        "div",
        "br",
        "li",
        "ul",
        "ol",
        "h1",
        "h2",
        "h3",
        "h4",
        "h5",
        "h6",
        "blockquote",
        "pre",
        "table",
        "tr",
        "section",
        "article",
        "header",
        "footer",
        "figure",
    }
)
_SPACES = re.compile(r"[ \t\r\f\v\u00a0]+")


def clean_line(line: str) -> str:
    """A line with runs of spaces folded and its ends stripped."""
    return _SPACES.sub(" ", line).strip()


def html_to_text(html: str | None) -> str | None:
    """Readable plain text of an HTML fragment: block elements become line breaks, scripts and styles go,
    entities are resolved, spaces folded; None when nothing is left."""
    if not html or not html.strip():
        return None
    html = clean_text(html)
    if "<" not in html and "&" not in html:
        lines = (clean_line(line) for line in html.splitlines())
    else:
        try:
            root = lxml.html.fragment_fromstring(html, create_parent="div")
        except (etree.ParserError, ValueError):
            return clean_line(re.sub(r"<[^>]+>", " ", html)) or None
        for element in list(root.iter(etree.Element)):
            if element.tag in ("script", "style"):
                element.drop_tree()
            elif element.tag in _BLOCK_TAGS:
                element.tail = "\n" + (element.tail or "")
        lines = (clean_line(line) for line in root.text_content().splitlines())
    return "\n".join(line for line in lines if line) or None


# --- words -----------------------------------------------------------------------------------------------------

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
"""In ``datetime.weekday()`` order."""
MONTHS = frozenset(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ]
)
WEEKDAY_ABBREVIATIONS = frozenset(["mon", "tue", "wed", "thu", "fri", "sat", "sun"])
MONTH_ABBREVIATIONS = frozenset(["jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec"])
"""Calendar words: never names, and their abbreviations end in a period without ending a sentence."""

ABBREVIATIONS = frozenset(
    [
        *MONTH_ABBREVIATIONS,
        "mr",
        "mrs",
        "ms",
        "dr",
        "st",
        "mt",
        "jos",
        "inc",
        "corp",
        "co",
        "ltd",
        "jr",
        "sr",
        "gen",
        "gov",
        "sen",
        "rep",
        "lt",
        "col",
        "sgt",
        "prof",
        "no",
        "vs",
        "ill",
        "la",
        "calif",
        "fla",
        "mass",
        "conn",
        "ariz",
        "tenn",
        "wash",
        "mich",
        "minn",
        "penn",
        "va",
        "md",
    ]
)
"""Words written with a trailing period that does not end a sentence ("Mt. Gox", "Dekalb, Ill.")."""

TITLE_CASE_SHARE = 0.85
"""Share of capitalised longer words from which a line counts as title case."""

CONNECTORS = frozenset({"of", "de", "del", "da", "la", "le", "van", "von", "der", "du", "bin", "ibn", "al", "el"})
"""Lower-case words that may join two capitalised words into one name."""

_TOKEN = re.compile(r"(?:[A-Z]\.){2,}|[\w@]+(?:[-'’&.][\w@]+)*\.?", re.UNICODE)
_INITIALS = re.compile(r"(?:[A-Z]\.)+")
_ARABIC_ARTICLE = re.compile(r"^(al|el|ad|as|ash|an|ar|at|az|bin|ibn)-[A-Z]")

# fmt: off
ENGLISH_STOP_WORDS = frozenset({
    "a", "about", "above", "across", "after", "afterwards", "again", "against", "all", "almost", "alone", "along",
    "already", "also", "although", "always", "am", "among", "amongst", "amoungst", "amount", "an", "and", "another",
    "any", "anyhow", "anyone", "anything", "anyway", "anywhere", "are", "around", "as", "at", "back", "be",
    "became", "because", "become", "becomes", "becoming", "been", "before", "beforehand", "behind", "being",
    "below", "beside", "besides", "between", "beyond", "bill", "both", "bottom", "but", "by", "call", "can",
    "cannot", "cant", "co", "con", "could", "couldnt", "cry", "de", "describe", "detail", "do", "done", "down",
    "due", "during", "each", "eg", "eight", "either", "eleven", "else", "elsewhere", "empty", "enough", "etc",
    "even", "ever", "every", "everyone", "everything", "everywhere", "except", "few", "fifteen", "fifty", "fill",
    "find", "fire", "first", "five", "for", "former", "formerly", "forty", "found", "four", "from", "front", "full",
    "further", "get", "give", "go", "had", "has", "hasnt", "have", "he", "hence", "her", "here", "hereafter",
    "hereby", "herein", "hereupon", "hers", "herself", "him", "himself", "his", "how", "however", "hundred", "i",
    "ie", "if", "in", "inc", "indeed", "interest", "into", "is", "it", "its", "itself", "keep", "last", "latter",
    "latterly", "least", "less", "ltd", "made", "many", "may", "me", "meanwhile", "might", "mill", "mine", "more",
    "moreover", "most", "mostly", "move", "much", "must", "my", "myself", "name", "namely", "neither", "never",
    "nevertheless", "next", "nine", "no", "nobody", "none", "noone", "nor", "not", "nothing", "now", "nowhere",
    "of", "off", "often", "on", "once", "one", "only", "onto", "or", "other", "others", "otherwise", "our", "ours",
    "ourselves", "out", "over", "own", "part", "per", "perhaps", "please", "put", "rather", "re", "same", "see",
    "seem", "seemed", "seeming", "seems", "serious", "several", "she", "should", "show", "side", "since", "sincere",
    "six", "sixty", "so", "some", "somehow", "someone", "something", "sometime", "sometimes", "somewhere", "still",
    "such", "system", "take", "ten", "than", "that", "the", "their", "them", "themselves", "then", "thence",
    "there", "thereafter", "thereby", "therefore", "therein", "thereupon", "these", "they", "thick", "thin",
    "third", "this", "those", "though", "three", "through", "throughout", "thru", "thus", "to", "together", "too",
    "top", "toward", "towards", "twelve", "twenty", "two", "un", "under", "until", "up", "upon", "us", "very",
    "via", "was", "we", "well", "were", "what", "whatever", "when", "whence", "whenever", "where", "whereafter",
    "whereas", "whereby", "wherein", "whereupon", "wherever", "whether", "which", "while", "whither", "who",
    "whoever", "whole", "whom", "whose", "why", "will", "with", "within", "without", "would", "yet", "you", "your",
    "yours", "yourself", "yourselves",
})
# fmt: on


class Token(NamedTuple):
    """One word of a sentence, with its offsets and what follows it up to the next word."""

    text: str
    start: int
    end: int
    gap_after: str


class Phrase(NamedTuple):
    """A run of capitalised tokens in one sentence."""

    tokens: tuple[str, ...]
    sentence_index: int
    first_token_index: int
    possessive: bool

    @property
    def text(self) -> str:
        return " ".join(self.tokens)


@lru_cache(maxsize=4096)
def tokenize(sentence: str) -> tuple[Token, ...]:
    """Words of a sentence; a trailing period stays only on abbreviations and initials ("U.S.", "Mt.").

    Memoised: the place and actor extractors read the same sentences of an article in turn.
    """
    matches = [(match.group(), match.start(), match.end()) for match in _TOKEN.finditer(sentence)]
    tokens = []
    make = tuple.__new__  # a NamedTuple built from a tuple at C speed: this runs for every word of every article
    next_starts = [start for _, start, _ in matches[1:]]
    next_starts.append(len(sentence))
    for (word, start, end), next_start in zip(matches, next_starts, strict=False):
        if word[-1] == "." and not _INITIALS.fullmatch(word) and word[:-1].lower() not in ABBREVIATIONS:
            word, end = word[:-1], end - 1
        tokens.append(make(Token, (word, start, end, sentence[end:next_start])))
    return tuple(tokens)


def is_capitalised(word: str) -> bool:
    """Whether a token starts like a name ("Cairo", "U.S.", "al-Tanf", "eBay"-style brands excluded)."""
    return word[:1].isupper() or ("-" in word and bool(_ARABIC_ARTICLE.match(word)))


@lru_cache(maxsize=4096)
def is_title_case(text: str) -> bool:
    """Whether a line capitalises most of its longer words, as many headlines do (capitals then say little)."""
    words = [word for word in re.findall(r"[A-Za-z][\w'’-]*", text) if len(word) >= 4]
    if len(words) < 3:
        return False
    return sum(word[0].isupper() for word in words) / len(words) >= TITLE_CASE_SHARE


@lru_cache(maxsize=4096)
def capitalised_phrases(sentence: str, sentence_index: int) -> tuple[Phrase, ...]:
    """Runs of capitalised tokens, broken at punctuation and possessives, joined across connectors (memoised)."""
    tokens = tokenize(sentence)
    phrases: list[Phrase] = []
    run: list[str] = []
    run_start = 0

    def close(possessive: bool = False) -> None:
        while run and run[-1] in CONNECTORS:
            run.pop()
        if run:
            phrases.append(Phrase(tuple(run), sentence_index, run_start, possessive))
        run.clear()

    for index, (word, _, _, gap_after) in enumerate(tokens):
        possessive = len(word) > 2 and word[-2:] in ("'s", "’s")
        if possessive:
            word = word[:-2]
        if is_capitalised(word) and not word.isdigit():
            if not run:
                run_start = index
            run.append(word)
        elif run and word in CONNECTORS and gap_after.strip() == "":
            run.append(word)
            continue
        else:
            if run:
                close()
            continue
        if possessive or gap_after.strip():
            close(possessive)
    close()
    return tuple(phrases)


# --- headlines and bodies --------------------------------------------------------------------------------------

_WORD_RUN = re.compile(r"[^\W_]+", re.UNICODE)
_ASCII_NON_WORD = str.maketrans(dict.fromkeys((chr(code) for code in range(128) if not chr(code).isalnum()), " "))
_SEPARATOR = re.compile(r"\s+(?:[-|–—]|::)\s+")
MIN_STEM_CHARS = 4
"""Shortest stem that may match a longer word it begins ("teen" in "teenagers")."""
_STEMMERS = threading.local()


_MAYBE_SPACELESS = re.compile(
    "[\u0e01-\u109f\u1780-\u1aad\u3005-\u9fff\ua9e0-\uaa7f\uf900-\ufaff\uff66-\uff9d\U00011000-\U0003ffff]"
)
"""The blocks that hold every character of ``_SPACELESS`` (and others): a quick first test
(``tests/test_scripts_without_spaces.py`` checks it covers them)."""
_SPACELESS = regex.compile(f"[{SPACELESS_EXPR}]")
_SPACELESS_WORD = regex.compile(rf"[{SPACELESS_EXPR}]|[^{SPACELESS_EXPR}\s]+")
"""A character of a script written without spaces between words (Han, kana, Thai, Khmer, Lao, Burmese ...:
wordfreq's list), or a run of other characters."""


def is_spaceless(char: str) -> bool:
    """Whether a character is of a script written without spaces between words: a word of its own wherever text is
    cut into words (`normalized_content`, the near-duplicate shingles)."""
    return _SPACELESS.match(char) is not None


@lru_cache(maxsize=64)
def normalized_content(text: str) -> str:
    """Text folded for exact comparison and counted in words: Unicode NFKC, case-folded, punctuation and spacing
    ignored (its runs of letters and digits, one space apart). In scripts written without spaces each character
    is a word of its own ("東京で" -> "東 京 で"): a Japanese body counts its characters where an English one
    counts its words. The last few texts are remembered: an article's body is folded for its validity, headline
    coverage, word count and content hash (and again after cleaning) in a row."""
    folded = unicodedata.normalize("NFKC", text).casefold()
    if folded.isascii():  # most paragraphs of English news: a character table, 30% faster than the pattern
        return " ".join(folded.translate(_ASCII_NON_WORD).split())
    # spaces separate runs too, and most words between them are a run alone (``isalnum``: no ``_`` in them)
    runs: list[str] = []
    for word in folded.split():
        if word.isalnum():
            runs.append(word)
        else:
            runs.extend(_WORD_RUN.findall(word))
    content = " ".join(runs)
    if not (_MAYBE_SPACELESS.search(content) and _SPACELESS.search(content)):
        return content
    return " ".join(_SPACELESS_WORD.findall(content))


@lru_cache(maxsize=65_536)
def stem(word: str) -> str:
    """English Snowball stem of a lower-case word ("charges" and "charge" -> "charg"; "charlotte" -> "charlott")."""
    stemmer = getattr(_STEMMERS, "english", None)
    if stemmer is None:  # Snowball stemmers keep state while they work: one per thread
        stemmer = _STEMMERS.english = snowballstemmer.stemmer("english")
    return stemmer.stemWord(word)


def site_labels(url: str | None) -> frozenset[str]:
    """The words naming a page's site in its host (``https://www.wqow.com/x`` -> ``wqow``), its suffix left out."""
    host = (urlsplit(url).hostname or "") if url else ""
    labels = host.removeprefix("www.").split(".")[:-1]
    return frozenset(label for label in labels if len(label) > 2)


def headline_proper(title: str, site: frozenset[str] = frozenset()) -> str:
    """The headline without a trailing site name: cut at the first separator (" - ", " | ", " – ") after which
    the site's name appears ("Lolo shooting deemed accidental - ABC FOX Montana News" on abcfoxmontana.com)."""
    for match in _SEPARATOR.finditer(title):
        rest = normalized_content(title[match.end() :]).replace(" ", "")
        if any(label.replace("-", "") in rest for label in site):
            return title[: match.start()]
    return title


def _mentioned(word: str, body: set[str], ordered: list[str]) -> bool:
    """Whether the body has the word, a word of the same stem, or a longer word its stem begins (shoots:
    shooting, teens: teenagers; not charlotte: charge, which share only their first letters). ``ordered``: the
    body's words sorted (filled here on first need: most headlines' words are all in their bodies)."""
    if word in body:
        return True
    if not ordered:
        ordered.extend(sorted(body))
    word_stem = stem(word)
    start = bisect.bisect_left(ordered, word[:MIN_STEM_CHARS])
    for other in ordered[start:]:
        if not other.startswith(word[:MIN_STEM_CHARS]):
            return False
        if (len(word_stem) >= MIN_STEM_CHARS and other.startswith(word_stem)) or stem(other) == word_stem:
            return True
    return False


def headline_coverage(title: str, text: str, url: str | None = None) -> float | None:
    """Share of the headline's content words (3+ letters, no stop words, not the site's name) that the body
    mentions (see :func:`_mentioned`); None for a headline without such words. ``url`` is the page's, whose
    site name is no content of the headline ("dartmedia on Twitter")."""
    site = site_labels(url)
    headline = {
        word
        for word in normalized_content(headline_proper(title, site)).split()
        if len(word) > 2 and word not in ENGLISH_STOP_WORDS and word not in site
    }
    if not headline:
        return None
    body = set(normalized_content(text).split())
    ordered: list[str] = []
    return sum(_mentioned(word, body, ordered) for word in headline) / len(headline)
