"""The labels of the verbal scales :mod:`cem.ingest.scales` recognises, in English, Spanish,
French, German, Italian, Dutch, Danish and Portuguese.

Each family (agreement, satisfaction, frequency, purchase intent, favourability,
likelihood) has the variants real surveys use; a variant is written ``"low | … | high"``
(as displayed, in order: rating 1..k). ``NOT_ON_SCALE`` lists the answers that mean "no
answer on this scale" (missing, never a point or a reject); ``FLAGS`` the yes/no pairs.
"""

from __future__ import annotations

NOT_ON_SCALE = frozenset(
    {
        # en
        "don't know",
        "dont know",
        "do not know",
        "not sure",
        "unsure",
        "n/a",
        "na",
        "not applicable",
        "does not apply",
        "unfamiliar",
        "not familiar",
        "no opinion",
        "prefer not to say",
        "prefer not to answer",
        # es
        "no se",
        "no lo se",
        "ns/nc",
        "no aplica",
        "no sabe",
        "prefiero no responder",
        # fr
        "ne sais pas",
        "je ne sais pas",
        "sans opinion",
        "non applicable",
        "nsp",
        "ne se prononce pas",
        # de
        "weiss nicht",
        "keine angabe",
        "nicht zutreffend",
        "trifft nicht zu",
        # it
        "non so",
        "non saprei",
        "non applicabile",
        "nessuna opinione",
        "preferisco non rispondere",
        # nl
        "weet niet",
        "weet ik niet",
        "geen mening",
        "niet van toepassing",
        "n.v.t.",
        "zeg ik liever niet",
        # da
        "ved ikke",
        "ikke relevant",
        "ingen mening",
        "vil ikke svare",
        # pt
        "nao sei",
        "nao se aplica",
        "sem opiniao",
        "prefiro nao responder",
        "ns/nr",
    }
)

_FAMILY_TEXT: tuple[tuple[str, ...], ...] = (
    (  # agreement (en)
        "Strongly disagree | Disagree | Agree | Strongly agree",
        "Strongly disagree | Disagree | Neutral | Agree | Strongly agree",
        "Strongly disagree | Disagree | Neither agree nor disagree | Agree | Strongly agree",
        "Strongly disagree | Somewhat disagree | Neither agree nor disagree | Somewhat agree"
        " | Strongly agree",
        "Strongly disagree | Disagree | Somewhat disagree | Neither agree nor disagree"
        " | Somewhat agree | Agree | Strongly agree",
    ),
    (  # satisfaction (en)
        "Very dissatisfied | Dissatisfied | Satisfied | Very satisfied",
        "Very dissatisfied | Dissatisfied | Neutral | Satisfied | Very satisfied",
        "Very dissatisfied | Dissatisfied | Neither satisfied nor dissatisfied | Satisfied"
        " | Very satisfied",
        "Very dissatisfied | Somewhat dissatisfied | Neither satisfied nor dissatisfied"
        " | Somewhat satisfied | Very satisfied",
        "Very dissatisfied | Dissatisfied | Somewhat dissatisfied"
        " | Neither satisfied nor dissatisfied | Somewhat satisfied | Satisfied | Very satisfied",
    ),
    (  # frequency (en)
        "Never | Rarely | Sometimes | Often | Always",
        "Never | Rarely | Sometimes | Usually | Always",
        "Never | Rarely | Sometimes | Very often | Always",
        "Never | Sometimes | About half the time | Most of the time | Always",
    ),
    (  # purchase intent (en)
        "Definitely not | Probably not | Probably yes | Definitely yes",
        "Definitely not | Probably not | Might or might not | Probably yes | Definitely yes",
        "Definitely not | Probably not | Not sure | Probably | Definitely",
        "Definitely not | Probably not | Probably | Definitely",
    ),
    (  # favourability (en)
        "Very unfavorably | Somewhat unfavorably | Somewhat favorably | Very favorably",
        "Very unfavorably | Somewhat unfavorably | Neutral | Somewhat favorably | Very favorably",
        "Very unfavourably | Somewhat unfavourably | Somewhat favourably | Very favourably",
        "Very unfavorable | Somewhat unfavorable | Somewhat favorable | Very favorable",
    ),
    (  # likelihood (en)
        "Not at all likely | Not very likely | Somewhat likely | Very likely",
        "Not at all likely | Not very likely | Somewhat likely | Very likely | Extremely likely",
        "Not at all likely | Slightly likely | Moderately likely | Very likely | Extremely likely",
        "Very unlikely | Unlikely | Neutral | Likely | Very likely",
        "Very unlikely | Unlikely | Likely | Very likely",
    ),
    (  # agreement (es)
        "Totalmente en desacuerdo | En desacuerdo | De acuerdo | Totalmente de acuerdo",
        "Totalmente en desacuerdo | En desacuerdo | Ni de acuerdo ni en desacuerdo | De acuerdo"
        " | Totalmente de acuerdo",
        "Muy en desacuerdo | En desacuerdo | Ni de acuerdo ni en desacuerdo | De acuerdo"
        " | Muy de acuerdo",
    ),
    (  # satisfaction (es)
        "Muy insatisfecho | Insatisfecho | Neutral | Satisfecho | Muy satisfecho",
        "Muy insatisfecho | Insatisfecho | Ni satisfecho ni insatisfecho | Satisfecho"
        " | Muy satisfecho",
        "Muy insatisfecho | Insatisfecho | Satisfecho | Muy satisfecho",
    ),
    (  # frequency (es)
        "Nunca | Rara vez | A veces | A menudo | Siempre",
        "Nunca | Casi nunca | A veces | Casi siempre | Siempre",
    ),
    (  # likelihood (es)
        "Nada probable | Poco probable | Algo probable | Muy probable | Extremadamente probable",
        "Muy improbable | Improbable | Neutral | Probable | Muy probable",
    ),
    ("Definitivamente no | Probablemente no | Probablemente sí | Definitivamente sí",),  # es
    (  # agreement (fr)
        "Pas du tout d'accord | Pas d'accord | D'accord | Tout à fait d'accord",
        "Pas du tout d'accord | Pas d'accord | Ni d'accord ni pas d'accord | D'accord"
        " | Tout à fait d'accord",
        "Pas du tout d'accord | Plutôt pas d'accord | Plutôt d'accord | Tout à fait d'accord",
    ),
    (  # satisfaction (fr)
        "Très insatisfait | Insatisfait | Satisfait | Très satisfait",
        "Très insatisfait | Insatisfait | Neutre | Satisfait | Très satisfait",
        "Pas du tout satisfait | Peu satisfait | Satisfait | Très satisfait",
        "Pas du tout satisfait | Plutôt pas satisfait | Plutôt satisfait | Très satisfait",
    ),
    ("Jamais | Rarement | Parfois | Souvent | Toujours",),  # frequency (fr)
    (  # likelihood (fr)
        "Pas du tout probable | Peu probable | Assez probable | Très probable"
        " | Extrêmement probable",
        "Très improbable | Improbable | Neutre | Probable | Très probable",
    ),
    ("Certainement pas | Probablement pas | Probablement | Certainement",),  # intent (fr)
    (  # agreement (de)
        "Stimme überhaupt nicht zu | Stimme nicht zu | Stimme zu | Stimme voll und ganz zu",
        "Stimme überhaupt nicht zu | Stimme nicht zu | Weder noch | Stimme zu"
        " | Stimme voll und ganz zu",
        "Stimme überhaupt nicht zu | Stimme eher nicht zu | Teils/teils | Stimme eher zu"
        " | Stimme voll und ganz zu",
    ),
    (  # satisfaction (de)
        "Sehr unzufrieden | Unzufrieden | Zufrieden | Sehr zufrieden",
        "Sehr unzufrieden | Unzufrieden | Neutral | Zufrieden | Sehr zufrieden",
        "Sehr unzufrieden | Eher unzufrieden | Teils/teils | Eher zufrieden | Sehr zufrieden",
    ),
    ("Nie | Selten | Manchmal | Oft | Immer",),  # frequency (de)
    (  # likelihood (de)
        "Sehr unwahrscheinlich | Unwahrscheinlich | Neutral | Wahrscheinlich | Sehr wahrscheinlich",
        "Überhaupt nicht wahrscheinlich | Wenig wahrscheinlich | Eher wahrscheinlich"
        " | Sehr wahrscheinlich | Äußerst wahrscheinlich",
    ),
    ("Auf keinen Fall | Eher nicht | Vielleicht | Eher ja | Auf jeden Fall",),  # intent (de)
    (  # agreement (it)
        "Fortemente in disaccordo | In disaccordo | D'accordo | Fortemente d'accordo",
        "Fortemente in disaccordo | In disaccordo | Né d'accordo né in disaccordo | D'accordo"
        " | Fortemente d'accordo",
        "Completamente in disaccordo | In disaccordo | Neutrale | D'accordo"
        " | Completamente d'accordo",
        "Per niente d'accordo | Poco d'accordo | Abbastanza d'accordo | Molto d'accordo",
    ),
    (  # satisfaction (it)
        "Molto insoddisfatto | Insoddisfatto | Soddisfatto | Molto soddisfatto",
        "Molto insoddisfatto | Insoddisfatto | Neutrale | Soddisfatto | Molto soddisfatto",
        "Molto insoddisfatto | Insoddisfatto | Né soddisfatto né insoddisfatto | Soddisfatto"
        " | Molto soddisfatto",
        "Per niente soddisfatto | Poco soddisfatto | Abbastanza soddisfatto | Molto soddisfatto",
    ),
    (  # frequency (it)
        "Mai | Raramente | A volte | Spesso | Sempre",
        "Mai | Raramente | Qualche volta | Spesso | Sempre",
    ),
    (  # likelihood (it)
        "Per niente probabile | Poco probabile | Abbastanza probabile | Molto probabile"
        " | Estremamente probabile",
        "Molto improbabile | Improbabile | Neutrale | Probabile | Molto probabile",
    ),
    ("Sicuramente no | Probabilmente no | Probabilmente sì | Sicuramente sì",),  # intent (it)
    (  # agreement (nl)
        "Helemaal mee oneens | Mee oneens | Mee eens | Helemaal mee eens",
        "Helemaal mee oneens | Mee oneens | Neutraal | Mee eens | Helemaal mee eens",
        "Helemaal mee oneens | Mee oneens | Niet mee eens, niet mee oneens | Mee eens"
        " | Helemaal mee eens",
        "Helemaal oneens | Oneens | Neutraal | Eens | Helemaal eens",
    ),
    (  # satisfaction (nl)
        "Zeer ontevreden | Ontevreden | Tevreden | Zeer tevreden",
        "Zeer ontevreden | Ontevreden | Neutraal | Tevreden | Zeer tevreden",
        "Zeer ontevreden | Ontevreden | Niet tevreden, niet ontevreden | Tevreden | Zeer tevreden",
        "Heel ontevreden | Ontevreden | Neutraal | Tevreden | Heel tevreden",
    ),
    ("Nooit | Zelden | Soms | Vaak | Altijd",),  # frequency (nl)
    (  # likelihood (nl)
        "Zeer onwaarschijnlijk | Onwaarschijnlijk | Neutraal | Waarschijnlijk"
        " | Zeer waarschijnlijk",
        "Helemaal niet waarschijnlijk | Niet waarschijnlijk | Enigszins waarschijnlijk"
        " | Zeer waarschijnlijk | Extreem waarschijnlijk",
    ),
    ("Zeker niet | Waarschijnlijk niet | Misschien | Waarschijnlijk wel | Zeker wel",),  # nl
    (  # agreement (da)
        "Helt uenig | Uenig | Enig | Helt enig",
        "Helt uenig | Uenig | Hverken enig eller uenig | Enig | Helt enig",
        "Helt uenig | Delvist uenig | Hverken enig eller uenig | Delvist enig | Helt enig",
        "Meget uenig | Uenig | Neutral | Enig | Meget enig",
    ),
    (  # satisfaction (da)
        "Meget utilfreds | Utilfreds | Tilfreds | Meget tilfreds",
        "Meget utilfreds | Utilfreds | Neutral | Tilfreds | Meget tilfreds",
        "Meget utilfreds | Utilfreds | Hverken tilfreds eller utilfreds | Tilfreds"
        " | Meget tilfreds",
    ),
    ("Aldrig | Sjældent | Nogle gange | Ofte | Altid",),  # frequency (da)
    (  # likelihood (da)
        "Meget usandsynligt | Usandsynligt | Hverken sandsynligt eller usandsynligt"
        " | Sandsynligt | Meget sandsynligt",
        "Slet ikke sandsynligt | Ikke særlig sandsynligt | Noget sandsynligt"
        " | Meget sandsynligt | Ekstremt sandsynligt",
    ),
    ("Helt sikkert ikke | Sandsynligvis ikke | Måske | Sandsynligvis | Helt sikkert",),  # da
    (  # agreement (pt)
        "Discordo totalmente | Discordo | Concordo | Concordo totalmente",
        "Discordo totalmente | Discordo | Neutro | Concordo | Concordo totalmente",
        "Discordo totalmente | Discordo | Não concordo nem discordo | Concordo"
        " | Concordo totalmente",
        "Discordo totalmente | Discordo parcialmente | Não concordo nem discordo"
        " | Concordo parcialmente | Concordo totalmente",
    ),
    (  # satisfaction (pt)
        "Muito insatisfeito | Insatisfeito | Satisfeito | Muito satisfeito",
        "Muito insatisfeito | Insatisfeito | Neutro | Satisfeito | Muito satisfeito",
        "Muito insatisfeito | Insatisfeito | Nem satisfeito nem insatisfeito | Satisfeito"
        " | Muito satisfeito",
    ),
    (  # frequency (pt)
        "Nunca | Raramente | Às vezes | Frequentemente | Sempre",
        "Nunca | Raramente | Às vezes | Muitas vezes | Sempre",
    ),
    (  # likelihood (pt)
        "Nada provável | Pouco provável | Provável | Muito provável | Extremamente provável",
        "Muito improvável | Improvável | Neutro | Provável | Muito provável",
    ),
    (  # purchase intent (pt)
        "Definitivamente não | Provavelmente não | Talvez | Provavelmente sim"
        " | Definitivamente sim",
    ),
)

# Each family: its variants, every variant an ordered tuple of labels (as displayed).
FAMILIES: tuple[tuple[tuple[str, ...], ...], ...] = tuple(
    tuple(tuple(label.strip() for label in variant.split(" | ")) for variant in family)
    for family in _FAMILY_TEXT
)

# Yes/no answers (no = 0, yes = 1): a 0/1 column, read as "% yes".
FLAGS: tuple[tuple[str, str], ...] = (
    ("No", "Yes"),
    ("No", "Sí"),
    ("No", "Si"),
    ("Non", "Oui"),
    ("Nein", "Ja"),
    ("Nej", "Ja"),
    ("Nee", "Ja"),
    ("Não", "Sim"),
    ("False", "True"),
)
