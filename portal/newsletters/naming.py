"""List names in running Dutch text: "de nieuwsbrief", not "Nieuwsbrief".

List names are data, in Dutch (portal.models.NewsletterList.name); a sentence or a button
needs them with their article ("Uitschrijven voor de nieuwsbrief"). Lists are de-words
(de nieuwsbrief, de e-zine, de newsflash, de uitnodigingen).
"""


def with_article(name: str) -> str:
    """ "Nieuwsbrief" -> "de nieuwsbrief"; a name that already starts with an article stays."""
    if not name:
        return ""
    words = name.split()
    if words[0].lower() in ("de", "het", "een"):
        return name
    # Only the first letter of a one-capital name is lowered ("E-zine" -> "e-zine");
    # acronyms and names with more capitals ("VOV-nieuws") are kept as they are.
    first = words[0]
    if sum(ch.isupper() for ch in first) == 1 and first[0].isupper():
        first = first[0].lower() + first[1:]
    return " ".join(["de", first, *words[1:]])
