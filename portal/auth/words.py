"""Plain Dutch words for suggested passphrases (not a password list: only for suggestions).

Four or five words drawn at random from these ~250 give 32-40 bits of entropy per suggestion,
and the person is free to change or extend it.
"""

WORDS = (
    "aardbei", "adem", "akker", "anker", "appel", "avond", "baai", "bakker", "ballon", "bank",
    "beek", "berg", "bever", "bezem", "bij", "bloem", "boek", "boom", "boot", "borstel",
    "brug", "buurman", "cactus", "cirkel", "citroen", "dak", "dal", "das", "deken", "dijk",
    "dolfijn", "donder", "dorp", "draak", "duif", "duin", "eekhoorn", "eiland", "emmer", "ezel",
    "fazant", "fiets", "fluit", "fontein", "fornuis", "gans", "garen", "geit", "gitaar", "glas",
    "gras", "grot", "haan", "haven", "heide", "hek", "hemel", "hert", "hoed", "honing",
    "hooi", "horloge", "ijzer", "inkt", "jas", "jurk", "kaars", "kaas", "kameel", "kanaal",
    "kapel", "kasteel", "kers", "ketel", "kever", "klok", "knoop", "koffer", "kompas", "konijn",
    "koord", "kraan", "krant", "krekel", "kreeft", "kruik", "kussen", "kust", "lamp", "lantaarn",
    "lepel", "leeuw", "lelie", "lint", "loper", "luik", "maan", "mantel", "markt", "meeuw",
    "meer", "mier", "molen", "mossel", "muur", "mus", "naald", "nest", "net", "noot",
    "oester", "oever", "olifant", "oven", "paard", "palm", "pan", "papier", "parel", "pauw",
    "peer", "pen", "peper", "piano", "plank", "plein", "pluim", "polder", "pomp", "pond",
    "poort", "potlood", "pruim", "raam", "radijs", "regen", "reiger", "ridder", "rivier", "rots",
    "rozijn", "schaap", "schelp", "schip", "schoen", "schors", "sjaal", "slak", "sleutel", "sloep",
    "smid", "sneeuw", "spiegel", "spin", "spons", "sporen", "stal", "steen", "ster", "stoel",
    "storm", "straat", "strand", "stroom", "suiker", "tafel", "tak", "tas", "tegel", "tent",
    "tijger", "toren", "trein", "trommel", "tuin", "tulp", "uil", "vaas", "valk", "veer",
    "veld", "venster", "vijver", "vink", "vis", "vlag", "vlinder", "vlot", "vogel", "vos",
    "vuur", "wagen", "walvis", "water", "weide", "wiel", "wind", "winkel", "wolk", "worst",
    "zadel", "zalm", "zand", "zee", "zeil", "zeep", "zolder", "zon", "zwaan", "zwaluw",
    "blauw", "groen", "geel", "paars", "oranje", "zilver", "gouden", "stille", "snelle", "warme",
    "koude", "oude", "jonge", "lange", "korte", "brede", "smalle", "zachte", "wilde", "rustige",
    "dansen", "zingen", "fluiten", "zwemmen", "lopen", "springen", "lezen", "schrijven",
    "bakken", "kijken", "luisteren", "varen", "vliegen", "rijden", "tekenen", "bouwen",
)
