"""Tests for ateliers_cli.render.french."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jinja2 import Environment
from markupsafe import Markup

from ateliers_cli.render import french
from ateliers_cli.render.french import (
    NBSP,
    NNBSP,
    date_courte,
    date_heure,
    date_longue,
    euros,
    filters,
    heure,
    mois_annee,
    nombre,
    now,
    ordinal,
    pluriel,
    pourcentage,
    proportion,
    today,
    typographie,
    typographie_html,
    typographie_markdown,
)

# --- dates -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2026, 4, 4), "samedi 4 avril 2026"),
        (date(2026, 4, 1), "mercredi 1er avril 2026"),
        (datetime(2026, 4, 4, 18, 30), "samedi 4 avril 2026"),
        ("2026-04-04", "samedi 4 avril 2026"),
        ("2026-04-01T10:00", "mercredi 1er avril 2026"),
        ("2026-12-25 09:00", "vendredi 25 décembre 2026"),
        (date(2026, 2, 11), "mercredi 11 février 2026"),
    ],
)
def test_date_longue(value: date | str, expected: str) -> None:
    assert date_longue(value) == expected


def test_date_courte_et_mois_annee() -> None:
    assert date_courte(date(2026, 4, 4)) == "4 avril 2026"
    assert date_courte("2026-04-01") == "1er avril 2026"
    assert date_courte(date(2026, 4, 11)) == "11 avril 2026"
    assert date_courte(date(2026, 4, 21)) == "21 avril 2026"
    assert mois_annee("2026-04-04") == "avril 2026"
    assert mois_annee(date(2026, 8, 1)) == "août 2026"


def test_aware_datetime_is_shown_in_paris() -> None:
    # 23:30 UTC on 31 March is 1:30 on 1 April in Paris (summer time).
    dt = datetime(2026, 3, 31, 23, 30, tzinfo=UTC)
    assert date_longue(dt) == "mercredi 1er avril 2026"
    assert heure(dt) == "1\u00a0h\u00a030"
    assert heure("2026-04-04T16:30:00+00:00") == "18\u00a0h\u00a030"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (time(18, 30), "18\u00a0h\u00a030"),
        (time(9, 0), "9\u00a0h"),
        (time(14, 5), "14\u00a0h\u00a005"),
        (time(0, 0), "0\u00a0h"),
        ("18:30", "18\u00a0h\u00a030"),
        ("09:00", "9\u00a0h"),
        (datetime(2026, 4, 4, 14, 5), "14\u00a0h\u00a005"),
        ("2026-04-04T18:30", "18\u00a0h\u00a030"),
        ("2026-04-04 09:00", "9\u00a0h"),
    ],
)
def test_heure(value: time | str, expected: str) -> None:
    assert heure(value) == expected


def test_date_heure() -> None:
    assert date_heure(datetime(2026, 4, 4, 18, 30)) == "samedi 4 avril 2026 à 18\u00a0h\u00a030"
    assert date_heure("2026-04-01T09:00") == "mercredi 1er avril 2026 à 9\u00a0h"
    assert date_heure("2026-04-04 14:05") == "samedi 4 avril 2026 à 14\u00a0h\u00a005"


@pytest.mark.parametrize("bad", ["2026-13-01", "demain", "", "04/04/2026"])
def test_bad_date_gives_french_value_error(bad: str) -> None:
    with pytest.raises(ValueError, match="date invalide"):
        date_longue(bad)


def test_bad_types() -> None:
    with pytest.raises(TypeError):
        date_longue(None)  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="heure invalide"):
        heure("25:00")
    with pytest.raises(TypeError):
        date_heure(date(2026, 4, 4))  # type: ignore[arg-type]


# --- today / now -----------------------------------------------------------


def test_today_honours_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    # 2026-04-04T23:30:00Z: still the 4th in UTC, already the 5th in Paris, where the
    # consultation happens: « today » is the Paris date.
    epoch = int(datetime(2026, 4, 4, 23, 30, tzinfo=UTC).timestamp())
    monkeypatch.setenv("SOURCE_DATE_EPOCH", str(epoch))
    assert today() == date(2026, 4, 5)
    n = now()
    assert n.tzinfo == ZoneInfo("Europe/Paris")
    assert n == datetime(2026, 4, 5, 1, 30, tzinfo=ZoneInfo("Europe/Paris"))
    assert heure(n) == "1\u00a0h\u00a030"


def test_today_without_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("SOURCE_DATE_EPOCH", raising=False)
    def paris() -> date:  # « today » is the day in France, not on the machine's clock
        return datetime.now(ZoneInfo("Europe/Paris")).date()

    before = paris()
    assert today() in {before, paris()}
    assert now().tzinfo == ZoneInfo("Europe/Paris")
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "")
    assert today() in {before, paris()}


def test_invalid_source_date_epoch(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "hier")
    from ateliers_cli.errors import UsageError

    with pytest.raises(UsageError, match="SOURCE_DATE_EPOCH invalide"):
        today()


# --- nombres ---------------------------------------------------------------


def test_nombre() -> None:
    assert nombre(2616909) == f"2{NNBSP}616{NNBSP}909"
    assert nombre(12.5) == "12,5"
    assert nombre(12.0) == "12"
    assert nombre(0) == "0"
    assert nombre(999) == "999"
    assert nombre(1234) == f"1{NNBSP}234"
    assert nombre(Decimal("1234.5")) == f"1{NNBSP}234,5"
    assert nombre(-1234) == f"-1{NNBSP}234"
    assert nombre(1 / 3) == "0,333"
    assert nombre(12.25, decimals=1) == "12,3"  # half-up, not banker's rounding
    assert nombre(7, decimals=2) == "7,00"
    assert nombre(-0.0001) == "0"  # never « -0 »
    assert nombre("1234") == f"1{NNBSP}234"


def test_nombre_rejects_garbage() -> None:
    with pytest.raises(ValueError):
        nombre(float("nan"))
    with pytest.raises(ValueError):
        nombre("abc")
    with pytest.raises(TypeError):
        nombre(True)


def test_pourcentage_euros() -> None:
    assert pourcentage(12.5) == f"12,5{NBSP}%"
    assert pourcentage(12.25) == f"12,3{NBSP}%"
    assert pourcentage(100) == f"100,0{NBSP}%"
    assert pourcentage(33.333, decimals=0) == f"33{NBSP}%"
    assert proportion(1, 8) == f"12,5{NBSP}%"
    assert proportion(1, 0) == "—"
    assert euros(45000) == f"45{NNBSP}000{NBSP}€"
    assert euros(1234.5) == f"1{NNBSP}234,50{NBSP}€"
    assert euros(10, decimals=2) == f"10,00{NBSP}€"


def test_ordinal_pluriel() -> None:
    assert ordinal(1) == "1er"
    assert ordinal(1, feminin=True) == "1re"
    assert ordinal(2) == "2e"
    assert ordinal(21) == "21e"
    assert ordinal(1000) == f"1{NNBSP}000e"
    assert pluriel(0, "contribution", "contributions") == "0 contribution"
    assert pluriel(1, "contribution", "contributions") == "1 contribution"
    assert pluriel(1.5, "heure", "heures") == "1,5 heure"
    assert pluriel(2, "contribution", "contributions") == "2 contributions"
    assert pluriel(2616909, "habitant", "habitants") == f"2{NNBSP}616{NNBSP}909 habitants"


# --- typographie -----------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Bonjour : voici", f"Bonjour{NBSP}: voici"),
        ("Bonjour: voici", f"Bonjour{NBSP}: voici"),
        ("Vraiment ? Oui ! Bien ; ensuite", f"Vraiment{NNBSP}? Oui{NNBSP}! Bien{NNBSP}; ensuite"),
        ("Vraiment? Oui!", f"Vraiment{NNBSP}? Oui{NNBSP}!"),
        ("Quoi?!", f"Quoi{NNBSP}?!"),
        ("Quoi  ?", f"Quoi{NNBSP}?"),
        (f"Quoi{NBSP}?", f"Quoi{NNBSP}?"),
        (f"Note{NNBSP}: x", f"Note{NBSP}: x"),
        ("« oui »", f"«{NBSP}oui{NBSP}»"),
        ("«oui»", f"«{NBSP}oui{NBSP}»"),
        ("Il dit «oui» !", f"Il dit «{NBSP}oui{NBSP}»{NNBSP}!"),
        ("l'avis d'aujourd'hui", "l’avis d’aujourd’hui"),
        ("**Note:** texte", f"**Note{NBSP}:** texte"),
        ("(vraiment?)", f"(vraiment{NNBSP}?)"),
        # left alone
        ("RDV à 18:30 précises", "RDV à 18:30 précises"),
        ("ratio 3:2", "ratio 3:2"),
        ("std::vector", "std::vector"),
        ("? en début", "? en début"),
        ("ligne\n: définition", "ligne\n: définition"),
        ("'guillemets simples'", "'guillemets simples'"),
        ("échappé\\!", "échappé\\!"),
        ("a != b", "a != b"),
        ("", ""),
    ],
)
def test_typographie(text: str, expected: str) -> None:
    assert typographie(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "https://example.fr/a?b=1;c=2:3!x",
        "http://example.fr:8080/x",
        "mailto:someone@example.fr?subject=a:b",
        "`a ; b : c ! d ? « e »`",
        "``code avec ` : dedans``",
        '<a href="x?y" title="a : b ; c\'">',
        "<code>a : b</code>",
        "<pre>\nx ; y\n</pre>",
        "<!-- a : b -->",
        "&amp;",
        '[ref]: https://example.fr "Titre : x"',
        "| a | b |\n|:---|---:|",
        "```\nx ; y : z\n```",
        "~~~python\nprint('a : b')\n~~~",
        "<https://example.fr/?q=a:b>",
        "---\ntitre: Bien vieillir\ndate: '2026-04-04'\n---",
    ],
)
def test_typographie_leaves_protected_text(text: str) -> None:
    assert typographie(text) == text


def test_typographie_markdown_links() -> None:
    md = "Voir [la page ?](https://ex.fr/?a=b:c 'Titre : x') et `a:b`!"
    assert typographie_markdown(md) == (f"Voir [la page{NNBSP}?](https://ex.fr/?a=b:c 'Titre : x') et `a:b`{NNBSP}!")
    assert typographie_markdown("Lien : https://ex.fr/x !") == (f"Lien{NBSP}: https://ex.fr/x{NNBSP}!")
    assert typographie_markdown("Voir https://ex.fr/x!") == f"Voir https://ex.fr/x{NNBSP}!"
    # A front matter is left alone, the body is not.
    md = "---\ntitre: x\n---\nNote: oui\n"
    assert typographie_markdown(md) == f"---\ntitre: x\n---\nNote{NBSP}: oui\n"
    # The protected parts stay byte-identical.
    md = "```\nl'a : b\n```\n\nl'avis : oui\n"
    assert typographie_markdown(md) == f"```\nl'a : b\n```\n\nl’avis{NBSP}: oui\n"


def test_typographie_html() -> None:
    assert typographie_html("<p>Bonjour <em>toi</em>!</p>") == (f"<p>Bonjour <em>toi</em>{NNBSP}!</p>")
    assert typographie_html('<p class="a:b" title="x ; y">«oui»</p>') == (
        f'<p class="a:b" title="x ; y">«{NBSP}oui{NBSP}»</p>'
    )
    html = "<p>Code :</p><pre><code>a : b ; c</code></pre><p>l'a <code>l'a</code></p>"
    assert typographie_html(html) == (f"<p>Code{NBSP}:</p><pre><code>a : b ; c</code></pre><p>l’a <code>l'a</code></p>")
    assert typographie_html("<p>A &amp; B ; ok</p>") == f"<p>A &amp; B{NNBSP}; ok</p>"
    assert typographie_html("<p>Quoi&nbsp;?</p>") == "<p>Quoi&nbsp;?</p>"
    assert typographie_html("<p>l&#39;avis &#39;x&#39; <code>l&#39;a</code></p>") == (
        "<p>l’avis &#39;x&#39; <code>l&#39;a</code></p>"
    )
    assert typographie_html("<script>a : b;</script>") == "<script>a : b;</script>"
    assert typographie_html('<a href="https://x.fr/?a:b">ici</a> : oui') == (
        f'<a href="https://x.fr/?a:b">ici</a>{NBSP}: oui'
    )
    # A block boundary is a line start: nothing inserted.
    assert typographie_html("<p>a</p><p>!</p>") == "<p>a</p><p>!</p>"
    # Attributes containing '>' inside quotes do not end the tag.
    assert typographie_html('<span title="a > b : c">x</span>') == ('<span title="a > b : c">x</span>')


def test_typographie_keeps_markup_type() -> None:
    out = typographie(Markup("<p>Oui !</p>"))
    assert isinstance(out, Markup)
    assert out == Markup(f"<p>Oui{NNBSP}!</p>")
    assert isinstance(typographie("Oui !"), str)
    assert not isinstance(typographie("Oui !"), Markup)


_TYPO_ALPHABET = st.sampled_from(
    list("ab é1 ;:!?«»'`<>[]()\n\t&#x*_-|~/.\\\"=")
    + [NBSP, NNBSP, "https://", "&amp;", "&#39;", "<em>", "</em>", "<code>", "</code>", "```", "18:30"]
)


@settings(max_examples=400, deadline=None)
@given(st.lists(_TYPO_ALPHABET, max_size=40).map("".join))
def test_typographie_is_idempotent(text: str) -> None:
    once = typographie(text)
    assert typographie(once) == once


@settings(max_examples=400, deadline=None)
@given(st.lists(_TYPO_ALPHABET, max_size=40).map("".join))
def test_typographie_html_is_idempotent(text: str) -> None:
    once = typographie_html(text)
    assert typographie_html(once) == once


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=60))
def test_typographie_only_changes_spaces_and_apostrophes(text: str) -> None:
    out = typographie(text)
    assert typographie(out) == out
    # Removing the spaces it may insert or change gives back the input
    # with its horizontal spaces dropped likewise.
    strip = str.maketrans("", "", f" \t\u2009{NBSP}{NNBSP}")
    assert out.replace("’", "'").translate(strip) == text.translate(strip)


# --- Jinja2 ----------------------------------------------------------------


def test_filters_in_jinja() -> None:
    env = Environment(autoescape=True)
    env.filters.update(filters())
    tpl = env.from_string(
        "{{ d|date_longue }} à {{ t|heure }} — {{ n|nombre }} — {{ p|pourcentage }} — "
        "{{ 3|pluriel('contribution', 'contributions') }} — {{ 1|ordinal }} — "
        "{{ txt|typographie }}"
    )
    out = tpl.render(d=date(2026, 4, 4), t=time(18, 30), n=2616909, p=12.5, txt="Quoi? <b>")
    assert out == (
        f"samedi 4 avril 2026 à 18{NBSP}h{NBSP}30 — 2{NNBSP}616{NNBSP}909 — 12,5{NBSP}% — "
        f"3 contributions — 1er — Quoi{NNBSP}? &lt;b&gt;"
    )
    assert set(filters()) >= {
        "date_longue",
        "date_courte",
        "mois_annee",
        "heure",
        "date_heure",
        "nombre",
        "pourcentage",
        "euros",
        "ordinal",
        "pluriel",
        "typographie",
        "typographie_html",
        "typographie_markdown",
    }
    assert all(callable(f) for f in filters().values())
    assert french.filters() is not french.filters()  # a fresh dict each time


# --- phrases about people and lists (issue 13) ---------------------------------------


@pytest.mark.parametrize(
    ("profil", "civilite", "forme", "attendu"),
    [
        ("habitant", "madame", "doublet", "habitante"),
        ("habitant", "monsieur", "doublet", "habitant"),
        ("habitant", "", "doublet", "habitante ou habitant"),
        ("habitant", "", "point_median", "habitant·e"),
        ("habitant", "", "masculin", "habitant"),
        ("citoyen", "madame", "point_median", "citoyenne"),
        ("citoyen", "monsieur", "point_median", "citoyen"),
        ("citoyen", "", "doublet", "citoyenne ou citoyen"),
        ("partenaire", "madame", "doublet", "partenaire"),
    ],
)
def test_the_profile_of_a_person_agrees_with_the_civility(profil: str, civilite: str, forme: str, attendu: str) -> None:
    assert french.profil_personne(profil, civilite, forme) == attendu


def test_lists_and_elision() -> None:
    assert french.liste([]) == ""
    assert french.liste(["Lille"]) == "Lille"
    assert french.liste(["Douai", "Lille"]) == "Douai et Lille"
    assert french.liste(["A", "B", "C", "D"]) == "A, B, C et D"  # four announced, four named
    assert french.de("Lille") == "de Lille"
    assert french.de("Avesnes-sur-Helpe") == "d'Avesnes-sur-Helpe"
    assert french.de("Hazebrouck") == "d'Hazebrouck"


def test_a_quote_ends_at_a_sentence_never_inside_the_request() -> None:
    from ateliers_cli.render.markup import sentence_excerpt

    texte = (
        "Je vis seule depuis cinq ans. Mes enfants sont loin et je ne vois personne de la semaine. "
        "Je voudrais que vous organisiez des visites régulières pour les personnes comme moi, surtout en hiver."
    )
    for longueur in range(40, len(texte)):
        extrait = sentence_excerpt(texte, longueur)
        assert len(extrait) <= longueur
        assert "Je voudrais" not in extrait  # the request is quoted whole or not at all
        assert extrait.endswith(". (…)"), extrait
    assert sentence_excerpt(texte, len(texte)) == texte
    assert sentence_excerpt("Court.", 50) == "Court."


def _citation_of(civilite: str, forme: str) -> str:
    from ateliers_cli.documents.context import citation
    from ateliers_cli.model import Consultation, Contribution

    c = Consultation(forme_inclusive=forme)
    ct = Contribution(
        id="C-0001",
        profil="habitant",
        civilite=civilite,
        auteur="Odile P.",
        publication=True,
        statut="analysee",
        texte="Bonjour. Merci.",
    )
    return citation(c, ct).profil


def test_quoted_people_are_named_by_their_gender_or_inclusively() -> None:
    assert _citation_of("madame", "doublet") == "habitante"
    assert _citation_of("monsieur", "doublet") == "habitant"
    assert _citation_of("", "doublet") == "habitante ou habitant"
    assert _citation_of("", "point_median") == "habitant·e"
