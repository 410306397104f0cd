"""Written by i18n.write_bank_messages (`make translations`): the English wording of
the question bank and the error pages, for pybabel to extract. The app never imports
it (pages look each string up through i18n.bank); a test checks it is up to date."""

# ruff: noqa: E501  (the bank's sentences, one a line)


def N_(text: str) -> str:  # noqa: N802  (the name pybabel extracts by default)
    return text


MESSAGES = (
    N_("About you"),
    N_("How old are you?"),
    N_("Your age in whole years."),
    N_("What sex were you registered at birth?"),
    N_("Female"),
    N_("Male"),
    N_("I'd rather not say"),
    N_("Your pain"),
    N_("Where is the pain you want help with? Choose the main one."),
    N_("Knee joint"),
    N_("Just below the kneecap"),
    N_("Hip or groin"),
    N_("Outer side of the hip"),
    N_("Hand, fingers or base of the thumb"),
    N_("Wrist"),
    N_("Outer side of the elbow"),
    N_("Inner side of the elbow"),
    N_("Shoulder"),
    N_("Ankle"),
    N_("Back of the heel, above the bone"),
    N_("Under the heel or arch"),
    N_("Foot or big toe"),
    N_("Lower back"),
    N_("Buttock or back of the pelvis"),
    N_("Neck"),
    N_("Upper back or ribs"),
    N_("A patch of skin, a scar or along a line"),
    N_("Many places or all over"),
    N_("How long have you had it?"),
    N_("Less than 2 weeks"),
    N_("2 to 6 weeks"),
    N_("6 weeks to 3 months"),
    N_("3 to 12 months"),
    N_("More than a year"),
    N_("How did it start?"),
    N_("An injury: a sprain, twist or fall"),
    N_("Gradually, after more or different activity"),
    N_("Gradually, for no clear reason"),
    N_("After an operation or a wound there"),
    N_("After shingles"),
    N_("I don't know"),
    N_("In the past week, how many separate parts of your body hurt?"),
    N_("Just 1"),
    N_("2 or 3"),
    N_("4 to 6"),
    N_("7 or more"),
    N_("Most days, how much do tiredness, waking unrefreshed or poor concentration trouble you?"),
    N_("A little"),
    N_("A fair amount"),
    N_("A lot"),
    N_("What the pain is like"),
    N_(
        "Is it brought on or made worse by using or loading that part (walking, stairs, gripping, lifting, running)?"
    ),
    N_("Yes"),
    N_("No"),
    N_("In the morning, how long does stiffness there last?"),
    N_("No stiffness"),
    N_("Up to 30 minutes"),
    N_("31 to 60 minutes"),
    N_("More than an hour"),
    N_("Does it ease as you warm up, then come back worse afterwards or the next morning?"),
    N_("Can you point to the most painful spot with one finger?"),
    N_(
        "Is it worse after staying in one position (long sitting or standing) and better when you move?"
    ),
    N_("What is the pain like at night?"),
    N_("No pain at night"),
    N_("Only when I lie on it or turn over"),
    N_("Constant and severe: no position eases it"),
    N_("Does the joint grind, creak or crunch when it moves?"),
    N_("Have you noticed hard, bony, knobbly swelling on the joint?"),
    N_("How does the painful area look and feel right now?"),
    N_("Normal"),
    N_("Puffy, but not hot"),
    N_("Hot, red and swollen"),
    N_("Does it give way, roll over, or feel loose or unstable?"),
    N_("Never"),
    N_("Sometimes, less than once a month"),
    N_("Often, once a month or more"),
    N_("How many times have you sprained or dislocated it?"),
    N_("Once"),
    N_("Twice or more"),
    N_("Do you get clicking, clunking or a shifting feeling with the pain?"),
    N_("Which of these are true for you?"),
    N_("Choose all that apply."),
    N_("I can (or could) put my palms flat on the floor with straight knees"),
    N_("I can (or could) bend a thumb back to touch my forearm"),
    N_("As a child I did the splits or contortion tricks"),
    N_("As a child or teenager my kneecap or shoulder popped out more than once"),
    N_("I think of myself as double-jointed"),
    N_("In the painful area, does the pain feel like, or come with, any of these?"),
    N_("Burning"),
    N_("Painful cold"),
    N_("Electric shocks"),
    N_("Tingling"),
    N_("Pins and needles"),
    N_("Numbness"),
    N_("Itching"),
    N_("Does light touch (clothes, bedsheets) make it hurt?"),
    N_("Is the pain in a patch of skin, along a scar, or along a line?"),
    N_("Does the pain travel down a leg below the knee, or down an arm into the hand?"),
    N_("Important health questions"),
    N_(
        "Since the pain started, any new trouble passing urine, leaking, or losing control of your bowels?"
    ),
    N_("Any numbness or changed feeling around your back passage, genitals or inner buttocks?"),
    N_("Is an arm, hand, leg or foot getting weaker, or is your walking getting worse?"),
    N_("New pain, numbness or tingling in both legs together with back pain?"),
    N_("Do you have a fever, shivers or night sweats, or feel generally very unwell?"),
    N_(
        "In the last 2 weeks, an injury after which you could not take 4 steps on it (then or now), or with a very tender bony spot?"
    ),
    N_("Is one calf or leg swollen, warm, red or tender?"),
    N_("Have you ever had cancer?"),
    N_("Have you lost weight without trying (about 5 kg or more) in the last 3 to 6 months?"),
    N_(
        "Sudden severe back pain after a fall or accident, or after a small strain if you have osteoporosis or take steroid tablets long-term?"
    ),
    N_("Soft swelling in two or more joints, or in your knuckles or toes?"),
    N_("Which of these apply to your back pain?"),
    N_("It started before I was 35"),
    N_("It wakes me in the second half of the night"),
    N_("I have pain in my buttocks"),
    N_("It gets better when I move"),
    N_("It is much better within 2 days of taking anti-inflammatories"),
    N_("A close relative has spondylitis"),
    N_("I have psoriasis"),
    N_("I have had arthritis before"),
    N_("I have had an inflamed heel or tendon attachment"),
    N_("Your health and medicines"),
    N_("Are you pregnant, could you be, or are you breastfeeding?"),
    N_("I'm not sure"),
    N_(
        "Do you take a blood thinner (warfarin, apixaban, rivaroxaban, edoxaban, dabigatran, clopidogrel, ticagrelor...)?"
    ),
    N_("Low-dose aspirin only"),
    N_("Yes, another blood thinner"),
    N_("Do you have a bleeding disorder, or bruise or bleed very easily?"),
    N_(
        "Have you had an allergic reaction to a local anaesthetic (such as a dental numbing injection)?"
    ),
    N_("Are you allergic to corn (maize) or to dextrose or glucose drips?"),
    N_(
        "Is there an infection, rash, broken skin or boil at or near the painful area, or are you on antibiotics for an infection now?"
    ),
    N_("Is the area in the middle of a gout attack or another flare right now?"),
    N_(
        "Do you take medicines that lower immunity (chemotherapy, biologics, methotrexate) or steroid tablets long-term?"
    ),
    N_("Do you take anti-inflammatory painkillers regularly (ibuprofen, naproxen, diclofenac)?"),
    N_("Do you have diabetes?"),
    N_("Yes, well controlled"),
    N_("Yes, not well controlled or I'm not sure"),
    N_("Have you fainted with needles, or do you have a strong fear of them?"),
    N_("Do you have a joint replacement or metalwork in the painful area?"),
    N_("Have you had a steroid injection in this area in the last 3 months?"),
    N_(
        "Has a doctor told you there is a lump or tumour in the painful area, or is there a lump nobody has explained?"
    ),
    N_("Not answered"),
    N_("None of these"),
    N_("Something went wrong with that form"),
    N_(
        "The page may have been open too long. Go back, refresh the page and try again. Your saved answers are kept."
    ),
    N_("You cannot see this page"),
    N_("Your account does not have access to this page."),
    N_("Page not found"),
    N_(
        "Check the web address, or start from the home page. Results can only be seen in the browser that sent the answers."
    ),
    N_("That did not work"),
    N_("This page cannot be opened that way. Go back and try again."),
    N_("That was too much to send"),
    N_("What you sent was too large. Go back, shorten your answers and try again."),
    N_("Sorry, something went wrong on our side"),
    N_(
        "Nothing you did caused this. Your saved answers are kept: please try again in a few minutes, or phone the clinic."
    ),
)
