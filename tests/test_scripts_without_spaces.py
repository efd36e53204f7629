"""Articles in scripts written without spaces (Japanese, Chinese, Thai ...) keep their bodies: the body-length rule
counts their characters as words, through ``wirebeam run --offline`` into a real DuckDB file."""

from __future__ import annotations

import sys

import regex
from wordfreq.tokens import SPACELESS_EXPR

from pipeline.boilerplate import MIN_BODY_WORDS
from pipeline.cli import main
from pipeline.text import _MAYBE_SPACELESS, normalized_content
from tests.conftest import query

JAPANESE = """貨物船が座礁
東京湾の入り口付近で十二日未明、パナマ船籍の貨物船が浅瀬に乗り上げた。海上保安庁によると、乗組員十八人にけがはなく、燃料の流出も確認されていない。
同庁は潮が満ちるのを待って離礁させる方針で、周辺の航路では一時的に速度制限が設けられた。
"""
SHORT_JAPANESE = "続報\n詳しくは後ほどお伝えします。\n"


def test_a_shift_jis_japanese_article_keeps_its_body_and_gets_its_language(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "ship.txt").write_bytes(JAPANESE.encode("shift_jis"))
    (seeds / "short.txt").write_bytes(SHORT_JAPANESE.encode("shift_jis"))
    db = tmp_path / "wirebeam.duckdb"
    assert main(["run", "--offline", "--seeds", str(seeds), "--db", str(db)]) == 0
    rows = query(db, "SELECT title, text, body_status, language, word_count FROM articles ORDER BY title DESC")
    (title, text, status, language, words), short = rows
    assert (title, status, language) == ("貨物船が座礁", "ok", "ja")
    assert text.startswith("東京湾の入り口付近で") and words == len(normalized_content(text).split()) > 100
    assert short[:3] == ("続報", None, "too_short"), "a sentence of 14 characters is still no article body"
    assert len(normalized_content("詳しくは後ほどお伝えします。").split()) < MIN_BODY_WORDS


def test_each_character_of_a_spaceless_script_is_a_word_and_other_text_folds_as_before():
    assert normalized_content("東京で2026年、ソフトバンク") == "東 京 で 2026 年 ソ フ ト バ ン ク"
    assert normalized_content("กินข้าว") == "ก น ข า ว"  # Thai marks were separators already
    assert normalized_content("Café “Zürich” — 서울 시청") == "café zürich 서울 시청"  # Korean has spaces


def test_the_quick_test_holds_every_spaceless_character():
    spaceless = regex.compile(f"[{SPACELESS_EXPR}]")
    missed = [hex(code) for code in range(sys.maxunicode + 1) if spaceless.match(chr(code))]
    missed = [code for code in missed if not _MAYBE_SPACELESS.match(chr(int(code, 16)))]
    assert missed == []
