"""Written by i18n.write_bank_messages (`make translations`): the English wording of
the question bank and the error pages, for pybabel to extract. The app never imports
it (pages look each string up through i18n.bank); a test checks it is up to date."""

# ruff: noqa: E501  (the bank's sentences, one a line)


def N_(text: str) -> str:  # noqa: N802  (the name pybabel extracts by default)
    return text


def pgettext(context: str, text: str) -> tuple[str, str]:  # extracted with its context
    return context, text


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
    N_("Get help now"),
    N_("Call {emergency} or go to A&E now. Do not wait for an appointment."),
    N_("Get medical help today"),
    N_(
        "Please get medical help today: a same-day GP appointment, an urgent treatment centre, or NHS 111."
    ),
    N_("See your GP first"),
    N_("Please see your GP in the next few days, before thinking about prolotherapy."),
    N_("These can be signs of pressure on the nerves at the bottom of the spine."),
    N_("Weakness that is getting worse can mean a nerve is being squeezed."),
    N_("A hot, swollen joint with a fever can be an infection in the joint."),
    N_("A hot, red, swollen joint needs checking by a doctor today."),
    N_("A fever or feeling very unwell can be a sign of infection."),
    N_("This could be a broken bone, which needs an X-ray first."),
    N_("A swollen, warm, tender calf can be a blood clot."),
    N_("Back or neck pain after cancer needs checking by a doctor today."),
    N_("After cancer, new or changing pain should be checked by your GP."),
    N_("Losing weight without trying should be checked by your GP."),
    N_("Constant, severe pain at night should be checked by your GP."),
    N_(
        "Swollen joints or long morning stiffness can be a kind of arthritis that needs other treatment."
    ),
    N_("Your answers fit a kind of back pain caused by inflammation, which needs other treatment."),
    N_("Osteoarthritis (wear in a joint)"),
    N_(
        "In osteoarthritis the smooth lining of a joint gets thinner and the joint can ache, creak and feel stiff. Loose or strained ligaments around the joint can let it move off its normal track, which wears it more."
    ),
    N_(
        "The clinic injects around the joint, and usually into it, to help the ligaments that hold it steady get stronger. The aim is a steadier joint that hurts less."
    ),
    N_(
        "There is little research on it for osteoarthritis in this joint. Most studies are of the knee, where some small trials found it helped."
    ),
    N_("Tendinopathy (a painful, overworked tendon)"),
    N_(
        "A tendon joins a muscle to a bone. When it is overworked it can become painful and sometimes it does not heal properly on its own."
    ),
    N_(
        "The injection causes a short, mild reaction where it is given. This calls in the cells that build new tissue, to help the tendon start healing again."
    ),
    N_(
        "There is little research on it for a tendon in this part of the body, so no one can yet say how well it works here. The clinician can tell you what is known."
    ),
    N_("Ligament strain or a loose, unstable joint"),
    N_(
        "Ligaments are strong bands that hold a joint together. If they are strained or stretched again and again, the joint can feel loose or give way, and the muscles around it can tighten up to protect it."
    ),
    N_(
        "The injection aims to help the ligament lay down new, stronger tissue. When the ligament settles, muscle tightness and stiffness can ease."
    ),
    N_(
        "For loose or unstable joints the evidence is very limited and comes mainly from reports of single cases."
    ),
    N_("Nerve pain near the skin"),
    N_(
        "Small nerves just under the skin can become irritated or injured, for example after an operation. They can burn, tingle or make light touch hurt."
    ),
    N_(
        "The clinic uses very fine, short needles close to the skin, with a sugar (dextrose) solution around the nerve. The aim is to calm the nerve and the tissue around it."
    ),
    N_(
        "There is early evidence that it helps some trapped nerves, such as carpal tunnel. For nerve pain near the skin the evidence is mainly clinical experience and small studies."
    ),
    N_(
        "For knee osteoarthritis, some trials found it helped, but the studies were small and of mixed quality."
    ),
    N_("For osteoarthritis in the hand, there is only a little evidence so far."),
    N_(
        "For tennis elbow (pain on the outer side of the elbow) there is moderate evidence that it helps in the short term."
    ),
    N_("For a painful tendon in the shoulder there is some trial evidence."),
    N_("For the Achilles tendon the evidence is limited and of low quality."),
    N_("For pain under the heel or arch the evidence is limited and of low quality."),
    N_("For pain at the back of the pelvis (the sacroiliac joint) there is some trial evidence."),
    N_(
        "For low back pain it has not been shown to work on its own, but it may help as part of a wider programme."
    ),
    N_("Looks likely"),
    N_("Possible"),
    N_("Unlikely"),
    N_("You have had a reaction to a local anaesthetic."),
    N_("You are allergic to corn or to dextrose or glucose."),
    N_("There is an infection, rash or broken skin near the painful area."),
    N_("The area is in the middle of a flare."),
    N_("There is a lump in the painful area."),
    N_("You are, or could be, pregnant or breastfeeding."),
    N_("You take a blood thinner."),
    N_("You bruise or bleed easily."),
    N_("You take medicines that lower your immunity."),
    N_("You have a joint replacement or metalwork in the area."),
    N_("Your diabetes may not be well controlled."),
    N_("You are under 18."),
    N_("You take low-dose aspirin."),
    N_(
        "You take anti-inflammatory painkillers regularly. These can get in the way of the healing reaction, so the clinician may ask you to pause them."
    ),
    N_("Needles worry you or make you faint. Tell the team so they can help."),
    N_("You had a steroid injection in this area in the last 3 months."),
    N_(
        "You have diabetes. The injection contains sugar (dextrose), so check your blood sugar more often for a day or two."
    ),
    N_("You have had cancer in the past."),
    N_(
        "Your pain travels down an arm or leg. It may come from a nerve near the spine, which the clinician will check. The clinic's treatment is for nerves near the skin."
    ),
    N_("Any time"),
    N_("Morning (9am to 12pm)"),
    N_("Afternoon (12pm to 5pm)"),
    N_("Early evening (5pm to 7pm)"),
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

# The reasons' words (rules/reasons.py), keyed by reason id or site code.
REASONS = (
    pgettext("reason:bladder_bowel", "new trouble with bladder or bowel control"),
    pgettext("reason:saddle", "numbness or changed feeling around the back passage or genitals"),
    pgettext("reason:both_legs", "new pain, numbness or tingling in both legs with back pain"),
    pgettext("reason:weakness", "an arm or leg getting weaker, or walking getting worse"),
    pgettext("reason:hot_joint", "a hot, red and swollen joint"),
    pgettext("reason:fever", "fever, shivers or night sweats, or feeling very unwell"),
    pgettext(
        "reason:recent_injury",
        "an injury in the last 2 weeks with trouble taking weight or a very tender bony spot",
    ),
    pgettext(
        "reason:fracture_risk",
        "sudden severe back pain after a fall or a small strain with a risk of broken bones",
    ),
    pgettext("reason:calf", "a swollen, warm, red or tender calf or leg"),
    pgettext("reason:past_cancer", "cancer in the past"),
    pgettext("reason:pain_site", "{site}"),
    pgettext("reason:night_constant", "constant severe pain at night"),
    pgettext("reason:weight_loss", "weight loss without trying"),
    pgettext("reason:recent_start", "pain that began less than 3 months ago"),
    pgettext("reason:joints_swollen", "soft swelling in two or more joints, knuckles or toes"),
    pgettext("reason:long_stiffness", "morning stiffness lasting more than an hour"),
    pgettext("reason:spa_signs", "signs of back pain caused by inflammation ({chosen})"),
    pgettext("reason:site_not_answered", "You did not tell us where the pain is."),
    pgettext("reason:said_site", "You said you have {site}."),
    pgettext("reason:load_yes", "You said it hurts when you use it or put weight on it."),
    pgettext(
        "reason:load_no", "You said using it or putting weight on it does not bring the pain on."
    ),
    pgettext("reason:load_not_answered", "You did not say if using it brings the pain on."),
    pgettext("reason:age_45_plus", "You are 45 or over."),
    pgettext("reason:age_40_44", "You are 40 to 44."),
    pgettext("reason:age_under_40", "You are under 40."),
    pgettext("reason:age_not_answered", "You did not tell us your age."),
    pgettext("reason:had_6w_plus", "You have had it for 6 weeks or more."),
    pgettext("reason:had_under_6w", "You have had it for less than 6 weeks."),
    pgettext("reason:had_3m_plus", "You have had it for 3 months or more."),
    pgettext("reason:had_under_3m", "You have had it for less than 3 months."),
    pgettext("reason:duration_not_answered", "You did not tell us how long you have had it."),
    pgettext(
        "reason:oa_not_here", "Wear in a joint (osteoarthritis) is not usual where your pain is."
    ),
    pgettext("reason:stiff_none", "You said it is not stiff in the morning."),
    pgettext("reason:stiff_le_30", "You said it is stiff for 30 minutes or less in the morning."),
    pgettext("reason:stiff_31_60", "You said it is stiff for 31 to 60 minutes in the morning."),
    pgettext("reason:stiff_gt_60", "You said it is stiff for more than an hour in the morning."),
    pgettext("reason:stiff_not_answered", "You did not say how long it is stiff in the morning."),
    pgettext("reason:grinding", "You said the joint grinds, creaks or crunches."),
    pgettext("reason:bony_swelling", "You said there is hard, bony swelling on the joint."),
    pgettext(
        "reason:check_swelling_first",
        "You told us about a hot joint or soft swelling in your joints. A doctor needs to check that first.",
    ),
    pgettext("reason:tendon_not_here", "Tendon problems are not usual where your pain is."),
    pgettext(
        "reason:point_spot", "You said you can point to the most painful spot with one finger."
    ),
    pgettext(
        "reason:warm_up", "You said it eases as you warm up, then comes back worse afterwards."
    ),
    pgettext("reason:overuse", "You said it started after more or different activity."),
    pgettext(
        "reason:tendon_one_sign",
        "A tendon problem usually has at least two of these signs: a spot you can point to, pain that eases as you warm up, or pain that started after more activity.",
    ),
    pgettext(
        "reason:tendon_no_signs",
        "You did not tell us about the usual signs of a tendon problem: a spot you can point to, pain that eases as you warm up, or pain that started after more activity.",
    ),
    pgettext(
        "reason:tendon_signs_elsewhere",
        "Tendon problems are not usual where your pain is, but you told us about all of their usual signs.",
    ),
    pgettext("reason:ligament_not_here", "Ligament problems are not usual where your pain is."),
    pgettext("reason:began_with_injury", "You said it began with a sprain, twist or fall."),
    pgettext("reason:sprained_before", "You said you have sprained or dislocated it before."),
    pgettext("reason:sprained_twice", "You said you have sprained or dislocated it twice or more."),
    pgettext(
        "reason:gives_way_sometimes",
        "You said it sometimes gives way or feels loose (less than once a month).",
    ),
    pgettext(
        "reason:gives_way_often",
        "You said it often gives way or feels loose (once a month or more).",
    ),
    pgettext(
        "reason:posture_pain",
        "You said it is worse after staying in one position and better when you move.",
    ),
    pgettext("reason:clicking", "You said you get clicking, clunking or a shifting feeling."),
    pgettext(
        "reason:flexible_joints", "You told us about signs that your joints are very flexible."
    ),
    pgettext(
        "reason:ligament_few_signs",
        "A ligament problem usually has at least two signs, such as an old sprain, a joint that gives way, or clicking.",
    ),
    pgettext(
        "reason:ligament_no_signs",
        "You did not tell us about signs of a ligament problem, such as an old sprain, a joint that gives way, or clicking.",
    ),
    pgettext("reason:nerve_feelings", "You said the pain comes with: {chosen}."),
    pgettext(
        "reason:no_nerve_feelings",
        "You did not tell us about feelings like burning, tingling or numbness.",
    ),
    pgettext(
        "reason:nerve_one_feeling",
        "Nerve pain near the skin usually comes with more than one of these feelings.",
    ),
    pgettext("reason:touch_pain", "You said light touch makes it hurt."),
    pgettext(
        "reason:skin_pattern",
        "You said the pain is in a patch of skin, along a scar or along a line.",
    ),
    pgettext(
        "reason:widespread",
        "You told us about pain in many parts of your body for 3 months or more. Pain like this is best checked as a whole.",
    ),
    pgettext("site:knee", "pain in the knee joint"),
    pgettext("site:knee_tendon", "pain just below the kneecap"),
    pgettext("site:hip_groin", "pain in the hip or groin"),
    pgettext("site:hip_side", "pain in the outer side of the hip"),
    pgettext("site:hand", "pain in the hand, fingers or base of the thumb"),
    pgettext("site:wrist", "pain in the wrist"),
    pgettext("site:elbow_outer", "pain in the outer side of the elbow"),
    pgettext("site:elbow_inner", "pain in the inner side of the elbow"),
    pgettext("site:shoulder", "pain in the shoulder"),
    pgettext("site:ankle", "pain in the ankle"),
    pgettext("site:achilles", "pain in the back of the heel, above the bone"),
    pgettext("site:heel_arch", "pain under the heel or arch"),
    pgettext("site:foot", "pain in the foot or big toe"),
    pgettext("site:low_back", "pain in the lower back"),
    pgettext("site:pelvis_back", "pain in the buttock or back of the pelvis"),
    pgettext("site:neck", "pain in the neck"),
    pgettext("site:upper_back", "pain in the upper back or ribs"),
    pgettext("site:skin_patch", "pain in a patch of skin, a scar or along a line"),
    pgettext("site:widespread", "pain in many places or all over"),
)
