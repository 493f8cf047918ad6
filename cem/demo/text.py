"""Phrase banks for the demo workspace's survey comments.

A comment is composed from an optional opening, one or two specific remarks about
the touchpoint (chosen by sentiment: ``neg``, ``neu`` or ``pos``), and an optional
closing and emoji. Placeholders in braces (``{minutes}``, ``{old}``, ``{new}``,
``{days}``, ``{name}``, ``{speed}``, ``{price}``) are filled by :func:`fill`.

No external text: everything here was written for the fictional provider Brightwave.

>>> fill("On hold for {minutes} minutes", {"minutes": 40})
'On hold for 40 minutes'
>>> sorted(SPECIFIC["Installation"])
['neg', 'neu', 'pos']
"""

from __future__ import annotations

from collections.abc import Mapping

Sentiment = str  # "neg" | "neu" | "pos"

OPENINGS: dict[Sentiment, tuple[str, ...]] = {
    "neg": (
        "Honestly,",
        "Really disappointed.",
        "Not impressed.",
        "Where do I start...",
        "Sorry but",
        "Frustrating experience.",
        "Third time writing this:",
        "Ugh.",
        "To be blunt,",
        "Not good enough.",
    ),
    "neu": (
        "It was ok.",
        "Mixed feelings.",
        "Fine, I suppose.",
        "Average really.",
        "Nothing special.",
        "Could be better, could be worse.",
        "So-so.",
        "Overall,",
    ),
    "pos": (
        "Great service!",
        "Really pleased.",
        "Very happy.",
        "Impressed!",
        "Top marks.",
        "Brilliant.",
        "Have to say,",
        "Credit where it's due:",
        "Lovely experience.",
        "Spot on.",
    ),
}

CLOSINGS: dict[Sentiment, tuple[str, ...]] = {
    "neg": (
        "Thinking of switching.",
        "Please sort this out.",
        "Not what I pay for.",
        "Will be looking elsewhere at renewal.",
        "Expected much better.",
        "Very poor.",
        "Someone needs to look at this.",
        "Sort it out Brightwave!",
        "I've already told two friends to avoid.",
    ),
    "neu": (
        "It'll do for now.",
        "Hope it improves.",
        "No real complaints.",
        "Room for improvement.",
        "We'll see how it goes.",
        "Does the job.",
    ),
    "pos": (
        "Would recommend.",
        "Keep it up!",
        "Thanks Brightwave.",
        "Five stars from me.",
        "Already recommended you to my neighbour.",
        "Couldn't ask for more.",
        "Really happy I switched.",
        "Thank you!",
    ),
}

EMOJI: dict[Sentiment, tuple[str, ...]] = {
    "neg": ("😡", "🙁", "👎", "😤"),
    "neu": ("🤷", "😐", "..."),
    "pos": ("😊", "👍", "🙌", "⭐⭐⭐⭐⭐", "😄"),
}

# Per persona, a short context some customers add.
PERSONA_CONTEXT: dict[str, tuple[str, ...]] = {
    "Busy Parent": (
        "With two kids at home",
        "Between school runs",
        "As a working mum",
        "With a house full of teenagers",
    ),
    "Remote Worker": (
        "I work from home",
        "I'm on video calls all day",
        "As someone who works remotely",
        "My job depends on the connection",
    ),
    "Student Sharer": (
        "There are four of us in the flat",
        "As a student",
        "Splitting the bill with flatmates",
        "On a student budget",
    ),
    "Small Business Owner": (
        "I run a small shop",
        "For my studio",
        "As a business owner",
        "My card machine runs on this line",
    ),
}

# Specific remarks per touchpoint and sentiment.
SPECIFIC: dict[str, dict[Sentiment, tuple[str, ...]]] = {
    "Social media ad": {
        "neg": (
            "The ad price wasn't the price I was offered.",
            "Saw the ad five times a day, very annoying.",
            "The advert promised gigabit speeds that aren't available in my street.",
        ),
        "neu": ("The ad was fine, caught my eye.", "Ad was a bit vague about the contract length."),
        "pos": (
            "The ad was clear about the price, {price} a month, no tricks.",
            "Saw the ad and the deal was genuinely good.",
            "Fun advert, and the offer was real.",
        ),
    },
    "Search result": {
        "neg": (
            "The search result linked to an expired offer.",
            "Landed on a page that said the deal had ended.",
        ),
        "neu": ("Found you through a search, nothing remarkable.", "Search listing was ok."),
        "pos": (
            "Found you straight away on search, clear listing.",
            "The comparison result showed the best value by far.",
        ),
    },
    "Website visit": {
        "neg": (
            "The website kept timing out on the address checker.",
            "Couldn't find the contract terms anywhere on the site.",
            "Site is slow and confusing on mobile.",
            "The postcode checker said no service, then yes, then no.",
        ),
        "neu": (
            "Website is ok but a bit cluttered.",
            "Took a while to find what I needed.",
            "The site works, nothing more.",
        ),
        "pos": (
            "Website was clear and quick.",
            "Address checker worked first time.",
            "Easy to compare the packages on the site.",
        ),
    },
    "Pricing page": {
        "neg": (
            "Prices on the pricing page don't include the setup fee of £{fee}.",
            "Hidden costs everywhere, the £{price} deal is really more.",
            "The small print about price rises is buried.",
            "Pricing is confusing, three different numbers for the same plan.",
        ),
        "neu": (
            "Prices are about the same as everyone else.",
            "Pricing page was ok, could be clearer about mid-contract rises.",
        ),
        "pos": (
            "Clear pricing, {price} a month and that's what I pay.",
            "Loved that the price was all-inclusive.",
            "Simple pricing table, no surprises.",
        ),
    },
    "Live chat": {
        "neg": (
            "Live chat agent kept sending copy-paste answers.",
            "Waited {minutes} minutes in the chat queue.",
            "The chat bot went round in circles and never got me to a human.",
            "Chat closed on me mid-conversation.",
        ),
        "neu": ("Chat answered my question eventually.", "The chat was slow but got there."),
        "pos": (
            "{name} on live chat was brilliant and answered everything.",
            "Chat was instant and really helpful.",
            "Quick answers on chat, no waiting.",
        ),
    },
    "Online checkout": {
        "neg": (
            "Checkout crashed twice and I was charged twice.",
            "The checkout wouldn't accept my card.",
            "Had to re-enter my address four times at checkout.",
        ),
        "neu": ("Checkout was fine, a few too many steps.", "Ordering took longer than expected."),
        "pos": (
            "Ordering online took five minutes.",
            "Smooth checkout, very easy.",
            "Checkout was quick and the install slot booking was built in.",
        ),
    },
    "Order confirmation email": {
        "neg": (
            "Confirmation email never arrived.",
            "Email had the wrong install date on it.",
            "The confirmation email showed a different price to the website.",
        ),
        "neu": ("Got the email, it was fine.", "The confirmation was a bit wordy."),
        "pos": (
            "Confirmation came straight away with everything I needed.",
            "Clear email with the dates and the price.",
        ),
    },
    "Delivery": {
        "neg": (
            "The router was left on the doorstep in the rain.",
            "Delivery was {days} days late.",
            "Parcel went to the wrong address.",
        ),
        "neu": ("Router arrived, no drama.", "Delivery was on the day they said."),
        "pos": (
            "Router arrived the next day, well packaged.",
            "Delivery was fast and tracked the whole way.",
            "Courier was friendly and on time.",
            "Box arrived early, set up the router in ten minutes.",
        ),
    },
    "Installation": {
        "neg": (
            "Engineer didn't turn up in the slot.",
            "Took a day off work and nobody came.",
            "Installer drilled through the wrong wall and left a mess.",
            "Installation was rescheduled {times} times.",
            "Engineer arrived without the right kit and had to come back.",
            "Waited in all day for the install, no call, no show.",
        ),
        "neu": (
            "Installer came late but did the job.",
            "Installation took longer than expected.",
            "The engineer was fine, the booking process wasn't.",
        ),
        "pos": (
            "Installer was quick and tidy.",
            "Engineer {name} explained everything and tested every room.",
            "Installation done in an hour, cables neatly hidden.",
            "Arrived early in the slot and cleaned up after.",
        ),
    },
    "Welcome call": {
        "neg": (
            "The welcome call was just a sales pitch.",
            "They called during dinner to upsell me.",
            "Welcome call was pointless, couldn't answer my questions.",
        ),
        "neu": ("Welcome call was ok, a bit scripted.", "Short call, nothing useful."),
        "pos": (
            "Nice welcome call, checked everything was working.",
            "{name} called to make sure the speed was right, good touch.",
            "Helpful welcome call, explained the app.",
        ),
    },
    "Mobile app": {
        "neg": (
            "The app logs me out every day.",
            "App crashes when I try to pay my bill.",
            "Speed test in the app shows {speed} Mbps, nowhere near what I pay for.",
        ),
        "neu": ("The app does the basics.", "App is fine, a bit slow to load."),
        "pos": (
            "The app is brilliant, I can see everything.",
            "Love the app, paying the bill takes seconds.",
            "App speed test shows {speed} Mbps, exactly what I was promised.",
            "Restarting the router from the app is magic.",
            "The app makes managing the account easy.",
        ),
    },
    "First bill": {
        "neg": (
            "First bill was £{amount}, not the £{price} I signed up for.",
            "Charged for a full month before I even had service.",
            "The first bill is impossible to understand.",
            "Got billed a setup fee nobody mentioned.",
        ),
        "neu": (
            "First bill was a bit higher than expected because of the part month.",
            "Bill was ok once I worked it out.",
        ),
        "pos": (
            "First bill matched the price exactly, £{price}.",
            "Clear bill, no surprises.",
            "Bill explained the part-month charge clearly.",
        ),
    },
    "Help centre": {
        "neg": (
            "The help articles don't cover my router model.",
            "Help centre search finds nothing useful.",
            "Followed the help guide and it made things worse.",
        ),
        "neu": ("Help centre had part of the answer.", "Found the article eventually."),
        "pos": (
            "Fixed it myself with the help centre guide.",
            "Help article had exactly the steps I needed.",
            "Good troubleshooting guide, sorted in minutes.",
        ),
    },
    "Phone support": {
        "neg": (
            "On hold for {minutes} minutes.",
            "Passed between four departments and had to explain it every time.",
            "Had to call three times about the same fault.",
            "Promised a callback that never came.",
            "Agent hung up on me after {minutes} minutes on hold.",
            "Nobody takes ownership of the problem.",
        ),
        "neu": (
            "Got through eventually and they fixed it.",
            "Call took a while but the agent was polite.",
            "Sorted, but it took two calls.",
        ),
        "pos": (
            "Got a callback within {minutes} minutes, problem fixed.",
            "{name} on the phone sorted it first time.",
            "Barely any wait and the agent knew what she was doing.",
            "The new callback option is great, no hold music!",
            "Support fixed my line remotely while I was on the phone.",
        ),
    },
    "Store visit": {
        "neg": (
            "Store staff couldn't access my account.",
            "Queued for half an hour in the store for nothing.",
            "The store said to call the helpline.",
        ),
        "neu": ("Store was ok, a bit busy.", "Staff in the store were fine."),
        "pos": (
            "Staff in the store swapped my router on the spot.",
            "{name} in the store was really helpful.",
            "Popped into the store and it was sorted in ten minutes.",
        ),
    },
    "Renewal offer": {
        "neg": (
            "Renewal price went up from £{old} to £{new} a month.",
            "Loyalty is punished: new customers pay £{price}, I'm asked for £{new}.",
            "The renewal offer is a price rise dressed up as a deal.",
            "£{new} a month at renewal? No thanks.",
            "The price rise letter was the final straw.",
        ),
        "neu": (
            "Renewal offer was about the same price.",
            "Renewal was fine, had to haggle a bit.",
            "Renewal offer is ok, not generous.",
        ),
        "pos": (
            "Renewal offer kept me on £{price}, fair.",
            "Good renewal deal, didn't even have to call.",
            "Got a speed upgrade at renewal for the same price.",
        ),
    },
    "Loyalty reward": {
        "neg": (
            "Loyalty reward never showed up in the app.",
            "The reward was a voucher for a shop I never use.",
        ),
        "neu": ("Loyalty reward is nice but small.", "Reward was ok."),
        "pos": (
            "Loved the loyalty reward, free cinema tickets!",
            "Nice surprise reward in the app after renewing.",
            "A month free for staying, thank you.",
        ),
    },
}

STAFF_NAMES: tuple[str, ...] = (
    "Priya",
    "Tom",
    "Aisha",
    "Gareth",
    "Sophie",
    "Kwame",
    "Megan",
    "Liam",
    "Zara",
    "Callum",
    "Fiona",
    "Dev",
)


def fill(template: str, values: Mapping[str, object]) -> str:
    """Fill ``{placeholders}`` of a phrase (missing ones are left as they are)."""
    out = template
    for key, value in values.items():
        out = out.replace("{" + key + "}", str(value))
    return out


# Remarks about the service as a whole, used by relationship (NPS) surveys.
GENERAL: dict[Sentiment, tuple[str, ...]] = {
    "neg": (
        "Broadband drops out every evening.",
        "Speeds are nowhere near the {speed} Mbps advertised.",
        "Too expensive for what it is.",
        "Connection keeps dropping during calls.",
        "Paying £{price} a month for a service that cuts out daily.",
        "Customer service is impossible to reach.",
    ),
    "neu": (
        "Service is ok, nothing special.",
        "It works most of the time.",
        "Price is fair, the service is average.",
        "Does what it says, mostly.",
    ),
    "pos": (
        "Rock solid connection, never drops.",
        "Fast and reliable, {speed} Mbps all day.",
        "Great value at £{price} a month.",
        "Haven't had a single outage this year.",
        "Best provider I've had.",
        "Everything just works.",
    ),
}

# Said in relationship surveys after the July 2026 price rise.
PRICE_RISE: tuple[str, ...] = (
    "The July price rise from £{old} to £{new} is too much.",
    "Another price rise, £{new} a month now. Not happy.",
    "Price went up to £{new} and nothing got better.",
    "Mid-contract price rise of £{rise} a month, really?",
)
